"""HTTP controllers: parse, authorise, call domain and store, shape the response."""
