"""Hand-written news paragraphs for the re-anchoring benchmark. `[[...]]` marks an annotated span; `{name}`
fields are filled per article so each topic yields several distinct articles."""

from __future__ import annotations

TOPICS: list[dict[str, object]] = [
    {
        "fills": [
            {"city": "Riga", "country": "Latvia", "official": "Ilze Ozola", "n1": "4,500", "n2": "300", "flag": "🇱🇻"},
            {
                "city": "Gdańsk",
                "country": "Poland",
                "official": "Marek Zieliński",
                "n1": "7,200",
                "n2": "450",
                "flag": "🇵🇱",
            },
            {
                "city": "Klaipėda",
                "country": "Lithuania",
                "official": "Rūta Kazlauskienė",
                "n1": "3,150",
                "n2": "120",
                "flag": "🇱🇹",
            },
        ],
        "paragraphs": [
            "[[Officials in {city} said]] on Monday that [[about {n1} tonnes of grain]], including {n2} tonnes of "
            "seed, had left the port since the start of the month.",
            "The transport ministry dismissed reports of a blockade as \u201crumours\u201d. [[The ministry said]] "
            "the port would stay open through the winter and that inspections would continue as normal.",
            "A shipping agency told reporters that [[the vessels were insured against war risk]]; the owner "
            "[[has denied this]], saying cover had lapsed in September.",
            "{flag} Port traffic rose [[12%\u00a0in\u00a0October]], according to figures published by the harbour "
            "authority, the strongest month since records began in 2009.",
            "[[{official}]], the deputy minister, said the government had \u201cno intention\u201d of closing the "
            "terminal. The ministry said it would publish weekly figures.",
            "Farmers\u2019 groups in {country} welcomed the statement but said [[prices had fallen by a third]] "
            "since the spring, and asked for storage subsidies.",
            "Analysts said the numbers should be treated with caution because [[exports are often recorded "
            "twice]] when cargo is transferred between ships.",
        ],
    },
    {
        "fills": [
            {"city": "Leeds", "official": "Dr Amara Okafor", "n1": "1,240", "n2": "18", "hospital": "St James\u2019s"},
            {"city": "Cork", "official": "Dr Seán Mac Giolla", "n1": "860", "n2": "11", "hospital": "Mercy"},
            {"city": "Dundee", "official": "Dr Fiona Baird", "n1": "2,015", "n2": "23", "hospital": "Ninewells"},
        ],
        "paragraphs": [
            "Waiting lists at [[{hospital} hospital]] in {city} have grown to [[{n1} patients]], the highest "
            "figure since the trust began publishing data.",
            "[[{official}]], the medical director, said [[the rise was driven by staff shortages]] rather than "
            "by demand, which had been \u201cbroadly flat\u201d for two years.",
            "The trust said [[{n2} operating theatres]] were in use on a typical weekday, compared with 25 "
            "before the pandemic. \U0001f3e5 Unions disputed the figure.",
            "A spokesperson for the health department said [[funding had increased by 6% in real terms]] and "
            "that the trust had \u201call the resources it needs\u201d.",
            "Patients\u2019 groups said [[the longest waits were for hip and knee replacements]], with some "
            "people waiting more than 70 weeks.",
            "The trust said it would open a new day-surgery unit next spring. [[The trust said]] recruitment "
            "of nurses from abroad was also under way.",
            "Opposition councillors called for an independent review, saying [[the published figures left out "
            "patients waiting for a first appointment]].",
        ],
    },
    {
        "fills": [
            {"team": "Ajax", "coach": "Linus Berg", "n1": "3-1", "n2": "42,000", "city": "Amsterdam"},
            {"team": "Celtic", "coach": "Niamh Doyle", "n1": "2-0", "n2": "58,500", "city": "Glasgow"},
            {"team": "Benfica", "coach": "Rui Tavares", "n1": "4-2", "n2": "61,300", "city": "Lisbon"},
        ],
        "paragraphs": [
            "[[{team}]] won {n1} on Saturday in front of [[a crowd of {n2}]], their fifth straight league win "
            "and the club\u2019s best run since 2015.",
            "Coach [[{coach}]] said [[the team had \u201cearned the right to dream\u201d]] but warned that the "
            "hardest fixtures were still to come.",
            "The club said [[ticket sales had doubled]] compared with last season. \u26bd Fans queued outside the "
            "stadium in {city} from early morning.",
            "Critics pointed out that [[three of the five wins came against teams in the bottom half]] of the "
            "table, and that injuries had thinned the squad.",
            "{coach} dismissed talk of a transfer bid for the striker as \u201cspeculation\u201d. [[The club "
            "said]] no offer had been received.",
            "Police said [[two people were arrested]] after the match for public order offences, fewer than at "
            "the same fixture last year.",
            "The league confirmed that [[the next home game will be televised]], moving the kick-off to Sunday "
            "afternoon.",
        ],
    },
    {
        "fills": [
            {"company": "Nordvolt", "ceo": "Henrik Aalto", "n1": "1.2 billion", "n2": "3,400", "site": "Oulu"},
            {"company": "Voltaire Cells", "ceo": "Claire Dubois", "n1": "850 million", "n2": "2,100", "site": "Douai"},
            {"company": "Iberlith", "ceo": "Marta Ruiz", "n1": "640 million", "n2": "1,750", "site": "Badajoz"},
        ],
        "paragraphs": [
            "Battery maker [[{company}]] said on Tuesday it would invest [[\u20ac{n1} in a new plant]] near "
            "{site}, creating up to {n2} jobs by 2028.",
            "Chief executive [[{ceo}]] told reporters that [[the plant would run entirely on renewable "
            "power]], a claim environmental groups said they would \u201cwatch closely\u201d.",
            "The company said [[it had secured orders from two carmakers]] but declined to name them, citing "
            "confidentiality agreements.",
            "Shares in {company} rose [[8.5%\u00a0on\u00a0the\u00a0news]] before falling back in afternoon "
            "trading. \U0001f4c8 Analysts called the plan ambitious.",
            "Local officials said [[the site had been chosen over three rivals]] after the regional government "
            "offered tax breaks worth \u20ac90 million.",
            "Unions said they had not been consulted. [[The company said]] talks with workers\u2019 "
            "representatives would begin next month.",
            "Industry figures show [[Europe imports about 70% of its battery cells]], most of them from Asia.",
        ],
    },
    {
        "fills": [
            {
                "river": "Oder",
                "town": "Frankfurt an der Oder",
                "n1": "6.3 metres",
                "n2": "2,800",
                "mayor": "Jens Krüger",
            },
            {"river": "Severn", "town": "Shrewsbury", "n1": "5.1 metres", "n2": "1,100", "mayor": "Alison Pugh"},
            {"river": "Loire", "town": "Orléans", "n1": "4.7 metres", "n2": "1,950", "mayor": "Luc Martin"},
        ],
        "paragraphs": [
            "The {river} reached [[{n1} at {town}]] on Wednesday morning, just below the level at which the "
            "old town would flood.",
            "Mayor [[{mayor}]] said [[about {n2} residents had been told to leave their homes]] as a "
            "precaution. \U0001f30a Sandbags were handed out at the fire station.",
            "Forecasters said [[more rain was expected over the weekend]], though less than had fallen in the "
            "previous four days.",
            "Emergency services said [[no injuries had been reported]]. The fire service said it had rescued "
            "several people from cars stuck in flood water.",
            "Residents complained that [[the flood barrier promised in 2019 had never been built]]; the council "
            "said funding had been \u201credirected\u201d.",
            "The environment agency said the river was expected to peak late on Thursday. [[The agency said]] "
            "it would keep the warning in place until Saturday.",
            "Insurers estimated that [[claims could exceed last year\u2019s total]] if the barrier at the "
            "railway bridge failed.",
        ],
    },
    {
        "fills": [
            {
                "party": "the Green Alliance",
                "leader": "Tove Lindqvist",
                "n1": "14%",
                "n2": "2,000",
                "country": "Sweden",
            },
            {
                "party": "the Liberal Forum",
                "leader": "Piet de Vries",
                "n1": "9%",
                "n2": "1,500",
                "country": "the Netherlands",
            },
            {"party": "the Civic Union", "leader": "Ana Horvat", "n1": "21%", "n2": "3,000", "country": "Croatia"},
        ],
        "paragraphs": [
            "[[{leader}]], who leads [[{party}]], said on Thursday that her party would not join a coalition "
            "that raised fuel taxes.",
            "A poll published on Sunday put the party on [[{n1} of the vote]], up four points since the "
            "summer, though the margin of error was three points.",
            "She said [[the government had broken its promise on rail fares]] and accused ministers of "
            "\u201cmaking it up as they go along\u201d.",
            "The prime minister\u2019s office said [[fares had been frozen for two years]] and called the claim "
            "\u201csimply false\u201d. \U0001f5f3\ufe0f Voters go to the polls in March.",
            "The party said [[it had recruited {n2} new members in a month]], a figure that could not be "
            "independently verified.",
            "Political scientists said [[coalition talks in {country} usually take months]], and that "
            "public red lines were often softened later.",
            "The party said its manifesto would be published in January. [[The party said]] it would cost "
            "every pledge.",
        ],
    },
    {
        "fills": [
            {"agency": "the Met Office", "n1": "38.7C", "n2": "1,300", "region": "Lincolnshire", "year": "2022"},
            {"agency": "M\u00e9t\u00e9o-France", "n1": "42.1C", "n2": "2,600", "region": "the Gard", "year": "2019"},
            {"agency": "AEMET", "n1": "45.4C", "n2": "3,900", "region": "Andalusia", "year": "2021"},
        ],
        "paragraphs": [
            "[[{agency}]] said a temperature of [[{n1} was recorded in {region}]] on Tuesday, close to the "
            "national record set in {year}.",
            "Officials said [[{n2} people had been treated for heat-related illness]] since the weekend. "
            "\u2600\ufe0f Schools closed early in several towns.",
            "Scientists said [[heatwaves of this strength had become ten times more likely]] because of "
            "climate change, citing a study published last year.",
            "Water companies said [[reservoirs were at 61% of capacity]] and that a hosepipe ban was \u201cnot "
            "ruled out\u201d.",
            "Farmers said [[the wheat harvest would be at least a fifth smaller]] than last year\u2019s, "
            "pushing up prices for bakers.",
            "The agency said cooler air would arrive on Friday. [[The agency said]] thunderstorms could bring "
            "flash flooding.",
            "Rail operators imposed speed limits because [[tracks can buckle above 40C]], causing delays on "
            "main lines.",
        ],
    },
    {
        "fills": [
            {
                "court": "the High Court",
                "judge": "Mrs Justice Hale",
                "firm": "Brightwater Ltd",
                "n1": "\u00a312 million",
                "n2": "400",
            },
            {
                "court": "the Court of Session",
                "judge": "Lord Ferguson",
                "firm": "Caledon Energy",
                "n1": "\u00a37.5 million",
                "n2": "260",
            },
            {
                "court": "the Commercial Court",
                "judge": "Mr Justice Adeyemi",
                "firm": "Portside Holdings",
                "n1": "\u00a320 million",
                "n2": "610",
            },
        ],
        "paragraphs": [
            "[[{court}]] ruled on Friday that [[{firm} had misled investors]] about the state of its finances "
            "before it collapsed last year.",
            "[[{judge}]] said the company\u2019s accounts had been \u201cat best optimistic and at worst "
            "fiction\u201d, and ordered it to pay [[{n1} in compensation]].",
            "Lawyers for the company said [[they would appeal the ruling]]. The company said it \u201crespected "
            "the court\u201d but disagreed with its findings.",
            "[[About {n2} former employees]] are owed wages and pension contributions, according to the "
            "administrators. \u2696\ufe0f A separate case is pending.",
            "The financial regulator said [[it had opened its own investigation]] in March but declined to "
            "comment further.",
            "Shareholders\u2019 groups said [[the ruling set an important precedent]] for cases against company "
            "directors.",
            "The former chief executive has denied wrongdoing. [[The company said]] he had left the board in January.",
        ],
    },
    {
        "fills": [
            {"city": "Bristol", "n1": "\u00a32.40", "n2": "17", "operator": "First West", "councillor": "Kate Osei"},
            {"city": "Lyon", "n1": "\u20ac2.10", "n2": "23", "operator": "TCL", "councillor": "Hugo Lefèvre"},
            {"city": "Turin", "n1": "\u20ac1.90", "n2": "14", "operator": "GTT", "councillor": "Giulia Conti"},
        ],
        "paragraphs": [
            "Bus fares in {city} will rise to [[{n1} for a single journey]] from January, the operator "
            "{operator} said on Monday.",
            "The company said [[{n2} routes would run less often]] in the evenings because of a shortage of "
            "drivers. \U0001f68c Night services are not affected.",
            "Councillor [[{councillor}]] said [[the increase would hit the poorest passengers hardest]] and "
            "called for the council to take the network into public ownership.",
            "{operator} said [[passenger numbers were still 15% below pre-pandemic levels]], leaving a gap in "
            "its finances.",
            "Campaigners said [[the city had the most expensive buses in the country]], a claim the operator "
            "said was \u201cnot comparing like with like\u201d.",
            "The council said it was studying a fare cap. [[The council said]] a decision would be taken in "
            "the spring.",
            "Transport researchers noted that [[fare rises usually reduce ridership by about 3%]] in the first year.",
        ],
    },
    {
        "fills": [
            {"museum": "the Rijksmuseum", "artist": "Vermeer", "n1": "650,000", "n2": "28", "director": "Sofie Jansen"},
            {"museum": "the Prado", "artist": "Goya", "n1": "480,000", "n2": "35", "director": "Javier Molina"},
            {"museum": "the Uffizi", "artist": "Botticelli", "n1": "720,000", "n2": "19", "director": "Elena Ricci"},
        ],
        "paragraphs": [
            "An exhibition of [[{n2} works by {artist}]] at {museum} drew [[{n1} visitors]] in four months, "
            "the museum said on Sunday.",
            "Director [[{director}]] said [[it was the most visited show in the museum\u2019s history]] and "
            "that tickets had sold out within hours of release. \U0001f5bc\ufe0f",
            "Some paintings were lent by private collectors who [[had never shown them in public]], the museum said.",
            "Critics praised the lighting but said [[the rooms were too crowded to see the works properly]], "
            "even with timed entry.",
            "The museum said [[ticket revenue would fund a new conservation studio]], due to open in 2027.",
            "Several works will travel to Tokyo next year. [[The museum said]] the loans had been agreed "
            "before the show opened.",
            "A researcher said [[one painting had been misattributed for a century]] until infrared scans "
            "revealed the underdrawing.",
        ],
    },
    {
        "fills": [
            {
                "firm": "Helix Telecom",
                "n1": "2.3 million",
                "n2": "11 hours",
                "region": "the north-east",
                "minister": "Paul Grant",
            },
            {"firm": "Alpen Net", "n1": "900,000", "n2": "six hours", "region": "Tyrol", "minister": "Eva Huber"},
            {
                "firm": "Baltica Mobile",
                "n1": "1.1 million",
                "n2": "nine hours",
                "region": "Kurzeme",
                "minister": "Andris Kalniņš",
            },
        ],
        "paragraphs": [
            "An outage at [[{firm}]] left [[{n1} customers without mobile service]] for up to {n2} on "
            "Thursday, the company said.",
            "The company said [[a faulty software update caused the failure]] and denied that it had been "
            "the target of a cyber attack. \U0001f4f5",
            "Emergency calls [[could not be connected in {region}]] for part of the morning, according to the "
            "regulator.",
            "Minister [[{minister}]] said [[the government would review the rules on network resilience]] and "
            "summoned the company\u2019s chief executive.",
            "The company said [[customers would receive a credit on their next bill]], though it did not say how much.",
            "Engineers restored service by early evening. [[The company said]] it had rolled back the update "
            "on all masts.",
            "Consumer groups said [[outages of this length were becoming more common]] as networks relied on "
            "fewer central systems.",
        ],
    },
    {
        "fills": [
            {"school": "Westfield Academy", "head": "Mr Omar Siddiqui", "n1": "78%", "n2": "1,450", "town": "Luton"},
            {"school": "Ardmore College", "head": "Ms Bríd Walsh", "n1": "83%", "n2": "960", "town": "Galway"},
            {"school": "Kirkton High", "head": "Mrs Heather Ross", "n1": "71%", "n2": "1,120", "town": "Perth"},
        ],
        "paragraphs": [
            "[[{n1} of pupils]] at [[{school}]] in {town} passed five or more exams this year, up from 64% "
            "two years ago.",
            "Headteacher [[{head}]] said [[the improvement was due to smaller maths classes]] and extra "
            "tutoring after school. \U0001f4da",
            "The school has [[{n2} pupils]] and was rated \u201crequires improvement\u201d by inspectors in 2023.",
            "Parents said [[the school day had been extended by 40 minutes]] without consultation, which the "
            "school denied.",
            "The local authority said [[funding per pupil had risen by 4%]] this year, below the rate of inflation.",
            "The school plans a new science block. [[The school said]] building work would start in the "
            "summer holidays.",
            "Education researchers cautioned that [[results at a single school can swing widely]] from year to year.",
        ],
    },
]

# New paragraphs an editor adds in a later revision (update notes, corrections, extra reporting).
INSERTED = [
    "Update, 14:20: This article has been updated with a response from the ministry.",
    "Correction: An earlier version of this article gave the wrong date for the inspection.",
    "\U0001f534 LIVE: Follow our live coverage for the latest developments.",
    "Additional reporting by Karin Holm and Tomás Reyes.",
    "The figures have not been independently verified and may be revised.",
    "Read more: How the figures are collected, and why they are often revised.",
]

# Rewrites that keep the topic but not the sentence: an annotation on the old sentence is orphaned.
REWRITES = [
    "Details remain unclear, and several questions were left unanswered at the briefing.",
    "No further comment was available when this article was published.",
    "Reporters were not allowed to ask questions after the statement was read out.",
    "Those involved have been approached for comment.",
]

# Small rewordings an editor makes inside a quoted sentence (old -> new).
SYNONYMS = {
    "said": "stated",
    "vessels": "ships",
    "rise": "increase",
    "about": "around",
    "reports": "claims",
    "rose": "climbed",
    "increased": "grown",
    "fallen": "dropped",
    "expected": "forecast",
    "people": "residents",
    "chosen": "picked",
    "hardest": "most",
    "smaller": "lower",
    "cause": "lead to",
    "most": "best",
    "new": "fresh",
    "never": "not",
    "often": "frequently",
    "usually": "typically",
    "more": "further",
}

# Replacement names for an edit that swaps a short name for another (not the same entity: orphaned).
OTHER_NAMES = ["Sara Lind", "Jonas Weber", "Mia Costa", "Tom Berg", "Ines Nunes", "Ola Dahl"]
