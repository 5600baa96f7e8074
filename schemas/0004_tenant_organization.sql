-- The newsroom as it signs its fact-checks (ClaimReview author, W3C creator); defaults to the tenant name.
ALTER TABLE tenants ADD COLUMN organization_name text;
ALTER TABLE tenants ADD COLUMN organization_url text;
