"""The claim-matching corpus, written for Factmark in news style: topics, each a claim, paraphrases of it (other
verbs, synonyms, reordered clauses, numbers written differently) and hard negatives that share its entities but
differ in one checkable detail (a figure, a negation, a place, a date). Even-numbered topics are the TUNING
split (thresholds and weights were chosen looking at them), odd-numbered ones the HELD-OUT split (measured only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Split = Literal["tuning", "held-out"]
Difference = Literal["figure", "negation", "place", "date", "topic"]


@dataclass(frozen=True)
class Topic:
    claim: str
    same: tuple[str, ...]
    """Paraphrases: each states what `claim` states."""
    different: tuple[tuple[Difference, str], ...]
    """Hard negatives: what differs, and the claim."""


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Around 12,000 North Korean troops are in Russia, officials said.",
        (
            "Roughly twelve thousand soldiers from North Korea have been deployed to Russia.",
            "Russia now hosts some 12k North Korean soldiers, according to officials.",
        ),
        (
            ("figure", "Around 3,000 North Korean troops are in Russia, officials said."),
            ("negation", "Officials said no North Korean troops are in Russia."),
            ("place", "Around 12,000 North Korean troops are in Belarus, officials said."),
        ),
    ),
    Topic(
        "The port of Riga handled 4,500 tonnes of grain in March.",
        (
            "In March, about 4,500 tonnes of grain passed through Riga's port.",
            "Riga port shipped 4 500 tonnes of grain during March.",
        ),
        (
            ("figure", "The port of Riga handled 45,000 tonnes of grain in March."),
            ("date", "The port of Riga handled 4,500 tonnes of grain in October."),
            ("place", "The port of Tallinn handled 4,500 tonnes of grain in March."),
        ),
    ),
    Topic(
        "Russia denied that its drones entered Polish airspace on Tuesday.",
        (
            "Moscow rejected claims that Russian drones crossed into Poland's airspace on Tuesday.",
            "On Tuesday, the Kremlin dismissed reports that its drones had violated Polish airspace.",
        ),
        (
            ("negation", "Russia confirmed that its drones entered Polish airspace on Tuesday."),
            ("place", "Russia denied that its drones entered Romanian airspace on Tuesday."),
            ("date", "Russia denied that its drones entered Polish airspace on Sunday."),
        ),
    ),
    Topic(
        "Unemployment in Spain fell to 11.2% in 2024.",
        (
            "Spain's jobless rate dropped to 11.2 per cent in 2024.",
            "In 2024 the unemployment rate in Spain declined to 11.2%.",
        ),
        (
            ("figure", "Unemployment in Spain fell to 12.2% in 2024."),
            ("date", "Unemployment in Spain fell to 11.2% in 2019."),
            ("place", "Unemployment in Italy fell to 11.2% in 2024."),
        ),
    ),
    Topic(
        "The flood displaced 30,000 people in Bangladesh's Sylhet region.",
        (
            "Some thirty thousand residents of Sylhet in Bangladesh were forced to flee the floods.",
            "Floods in the Sylhet region of Bangladesh have displaced about 30k people.",
        ),
        (
            ("figure", "The flood displaced 300 people in Bangladesh's Sylhet region."),
            ("place", "The flood displaced 30,000 people in Bangladesh's Rangpur region."),
        ),
    ),
    Topic(
        "The government will cut 5,000 jobs at the state railway by 2026.",
        (
            "By 2026 the state railway is to shed 5,000 positions under the government's plan.",
            "Five thousand railway jobs will be axed by the government before 2026.",
        ),
        (
            ("figure", "The government will cut 500 jobs at the state railway by 2026."),
            ("negation", "The government will not cut jobs at the state railway by 2026."),
            ("date", "The government will cut 5,000 jobs at the state railway by 2030."),
        ),
    ),
    Topic(
        "Germany sent 14 Leopard tanks to Ukraine last month.",
        (
            "Last month Berlin delivered fourteen Leopard tanks to Kyiv.",
            "Ukraine received 14 Leopard tanks from Germany last month.",
        ),
        (
            ("figure", "Germany sent 40 Leopard tanks to Ukraine last month."),
            ("negation", "Germany denied that it sent Leopard tanks to Ukraine last month."),
            ("place", "Germany sent 14 Leopard tanks to Moldova last month."),
        ),
    ),
    Topic(
        "Inflation in the eurozone rose to 2.9 percent in January.",
        (
            "Eurozone inflation climbed to 2.9% in January.",
            "In January consumer prices in the eurozone increased 2.9 per cent.",
        ),
        (
            ("figure", "Inflation in the eurozone rose to 9.2 percent in January."),
            ("date", "Inflation in the eurozone rose to 2.9 percent in June."),
        ),
    ),
    Topic(
        "The wildfire near Athens has destroyed more than 200 homes.",
        (
            "Over 200 houses have been destroyed by the blaze outside Athens.",
            "More than two hundred homes near Athens were burned down by the wildfire.",
        ),
        (
            ("figure", "The wildfire near Athens has destroyed more than 2,000 homes."),
            ("place", "The wildfire near Patras has destroyed more than 200 homes."),
            ("negation", "The wildfire near Athens has not destroyed any homes."),
        ),
    ),
    Topic(
        "Police arrested 18 people after the protest in Tbilisi on Saturday.",
        (
            "Eighteen protesters were detained by police in Tbilisi on Saturday.",
            "On Saturday police in Tbilisi took 18 people into custody after the demonstration.",
        ),
        (
            ("figure", "Police arrested 81 people after the protest in Tbilisi on Saturday."),
            ("date", "Police arrested 18 people after the protest in Tbilisi on Wednesday."),
            ("place", "Police arrested 18 people after the protest in Yerevan on Saturday."),
        ),
    ),
    Topic(
        "China's exports grew 7% in the first quarter.",
        (
            "Chinese exports rose seven percent in the first quarter.",
            "In the first quarter, exports from China increased by 7 per cent.",
        ),
        (
            ("figure", "China's exports grew 17% in the first quarter."),
            ("negation", "China's exports did not grow in the first quarter."),
            ("place", "India's exports grew 7% in the first quarter."),
        ),
    ),
    Topic(
        "The minister said the new hospital in Kaunas will cost €120 million.",
        (
            "The new Kaunas hospital will cost 120 million euros, according to the minister.",
            "A price tag of €120m for the new hospital in Kaunas was announced by the minister.",
        ),
        (
            ("figure", "The minister said the new hospital in Kaunas will cost €12 million."),
            ("place", "The minister said the new hospital in Vilnius will cost €120 million."),
        ),
    ),
    Topic(
        "At least 41 people were killed in the earthquake in western Nepal.",
        (
            "The earthquake in western Nepal killed at least forty-one people.",
            "A death toll of at least 41 was reported after the quake struck western Nepal.",
        ),
        (
            ("figure", "At least 14 people were killed in the earthquake in western Nepal."),
            ("place", "At least 41 people were killed in the earthquake in eastern Turkey."),
        ),
    ),
    Topic(
        "The mayor confirmed that the bridge will reopen in September.",
        (
            "The bridge is set to reopen in September, the mayor confirmed.",
            "According to the mayor, the bridge will open again in September.",
        ),
        (
            ("negation", "The mayor denied that the bridge will reopen in September."),
            ("date", "The mayor confirmed that the bridge will reopen in December."),
        ),
    ),
    Topic(
        "France will send 2,000 soldiers to Romania in 2025.",
        (
            "In 2025 Paris is to deploy two thousand troops to Romania.",
            "Romania will host 2,000 French troops from 2025, France said.",
        ),
        (
            ("figure", "France will send 200 soldiers to Romania in 2025."),
            ("date", "France will send 2,000 soldiers to Romania in 2027."),
            ("place", "France will send 2,000 soldiers to Estonia in 2025."),
        ),
    ),
    Topic(
        "Sweden's central bank raised interest rates to 4 percent on Thursday.",
        (
            "On Thursday the Riksbank in Sweden increased its interest rate to 4%.",
            "Sweden's central bank lifted rates to four per cent on Thursday.",
        ),
        (
            ("figure", "Sweden's central bank raised interest rates to 3 percent on Thursday."),
            ("negation", "Sweden's central bank did not raise interest rates on Thursday."),
            ("place", "Norway's central bank raised interest rates to 4 percent on Thursday."),
        ),
    ),
    Topic(
        "The company said it had vaccinated 1.2 million children in Kenya.",
        (
            "About 1.2 million children in Kenya have received the vaccine, the company said.",
            "The firm said 1,200,000 Kenyan children had been vaccinated.",
        ),
        (
            ("figure", "The company said it had vaccinated 12 million children in Kenya."),
            ("place", "The company said it had vaccinated 1.2 million children in Uganda."),
        ),
    ),
    Topic(
        "Finland closed its border with Russia in November 2023.",
        (
            "In November 2023 Helsinki shut the Finnish border with Russia.",
            "Finland sealed its frontier with Russia in November 2023.",
        ),
        (
            ("date", "Finland closed its border with Russia in November 2021."),
            ("negation", "Finland has never closed its border with Russia."),
            ("place", "Norway closed its border with Russia in November 2023."),
        ),
    ),
    Topic(
        "The strike at the Hamburg port lasted 48 hours.",
        (
            "Dock workers in Hamburg walked out for forty-eight hours.",
            "The walkout at Hamburg's port went on for 48 hours.",
        ),
        (
            ("figure", "The strike at the Hamburg port lasted 24 hours."),
            ("place", "The strike at the Rotterdam port lasted 48 hours."),
        ),
    ),
    Topic(
        "Ukraine said it shot down 31 Russian drones overnight.",
        (
            "Kyiv said its air defences destroyed thirty-one Russian drones overnight.",
            "Overnight, Ukrainian forces downed 31 drones launched by Russia, Ukraine said.",
        ),
        (
            ("figure", "Ukraine said it shot down 13 Russian drones overnight."),
            ("negation", "Ukraine denied that it shot down Russian drones overnight."),
        ),
    ),
    Topic(
        "The EU fined Apple €1.8 billion in March 2024.",
        (
            "In March 2024, Brussels imposed a €1.8bn fine on Apple.",
            "Apple was fined 1.8 billion euros by the EU in March 2024.",
        ),
        (
            ("figure", "The EU fined Apple €18 billion in March 2024."),
            ("date", "The EU fined Apple €1.8 billion in March 2020."),
            ("topic", "The EU fined Google €1.8 billion in March 2024."),
        ),
    ),
    Topic(
        "More than 600 migrants crossed the Channel in small boats on Monday.",
        (
            "On Monday over 600 migrants made the Channel crossing in small boats.",
            "Upwards of six hundred people crossed the English Channel in small boats on Monday.",
        ),
        (
            ("figure", "More than 60 migrants crossed the Channel in small boats on Monday."),
            ("date", "More than 600 migrants crossed the Channel in small boats on Friday."),
        ),
    ),
    Topic(
        "The ministry said turnout in the referendum was 64 percent.",
        (
            "Turnout in the referendum reached 64%, the ministry said.",
            "According to the ministry, 64 per cent of voters took part in the referendum.",
        ),
        (
            ("figure", "The ministry said turnout in the referendum was 46 percent."),
            ("negation", "The ministry said turnout in the referendum was not 64 percent."),
        ),
    ),
    Topic(
        "Brazil recorded 9,000 square kilometres of Amazon deforestation in 2022.",
        (
            "In 2022, 9,000 km² of the Amazon were deforested in Brazil.",
            "Brazil lost nine thousand square kilometres of Amazon forest to deforestation in 2022.",
        ),
        (
            ("figure", "Brazil recorded 900 square kilometres of Amazon deforestation in 2022."),
            ("date", "Brazil recorded 9,000 square kilometres of Amazon deforestation in 2012."),
            ("place", "Peru recorded 9,000 square kilometres of Amazon deforestation in 2022."),
        ),
    ),
    Topic(
        "The health ministry said 2,300 nurses left Romania last year.",
        (
            "Last year some 2,300 nurses emigrated from Romania, the health ministry said.",
            "Romania lost 2.3k nurses to emigration last year, according to the health ministry.",
        ),
        (
            ("figure", "The health ministry said 3,200 nurses left Romania last year."),
            ("place", "The health ministry said 2,300 nurses left Bulgaria last year."),
            ("negation", "The health ministry denied that nurses left Romania last year."),
        ),
    ),
    Topic(
        "Lithuania's parliament approved a defence budget of €2.5 billion on Wednesday.",
        (
            "On Wednesday Lithuanian lawmakers passed a €2.5bn defence budget.",
            "A defence budget worth 2.5 billion euros was approved by Lithuania's parliament on Wednesday.",
        ),
        (
            ("figure", "Lithuania's parliament approved a defence budget of €1.5 billion on Wednesday."),
            ("negation", "Lithuania's parliament rejected a defence budget of €2.5 billion on Wednesday."),
            ("date", "Lithuania's parliament approved a defence budget of €2.5 billion on Friday."),
        ),
    ),
    Topic(
        "Nineteen miners were trapped after the collapse at the Zonguldak coal mine.",
        (
            "The collapse at the coal mine in Zonguldak trapped 19 miners.",
            "After the Zonguldak mine collapsed, 19 workers were trapped underground.",
        ),
        (
            ("figure", "Ninety miners were trapped after the collapse at the Zonguldak coal mine."),
            ("place", "Nineteen miners were trapped after the collapse at the Soma coal mine."),
        ),
    ),
    Topic(
        "The airline cancelled 340 flights at Frankfurt airport because of the strike.",
        (
            "Because of the walkout, 340 flights were cancelled at Frankfurt airport.",
            "Frankfurt airport saw 340 flights cancelled by the airline during the strike.",
        ),
        (
            ("figure", "The airline cancelled 34 flights at Frankfurt airport because of the strike."),
            ("place", "The airline cancelled 340 flights at Munich airport because of the strike."),
            ("negation", "The airline said no flights were cancelled at Frankfurt airport because of the strike."),
        ),
    ),
    Topic(
        "Average rents in Dublin rose by 8% in 2023.",
        (
            "Dublin's average rent increased eight percent in 2023.",
            "In 2023 rents in Dublin went up by 8 per cent on average.",
        ),
        (
            ("figure", "Average rents in Dublin rose by 18% in 2023."),
            ("date", "Average rents in Dublin rose by 8% in 2021."),
            ("place", "Average rents in Cork rose by 8% in 2023."),
        ),
    ),
    Topic(
        "The coast guard rescued 56 migrants off Lampedusa on Sunday.",
        (
            "On Sunday fifty-six migrants were rescued by the coast guard near Lampedusa.",
            "Some 56 people were saved off Lampedusa by the coast guard on Sunday.",
        ),
        (
            ("figure", "The coast guard rescued 65 migrants off Lampedusa on Sunday."),
            ("place", "The coast guard rescued 56 migrants off Malta on Sunday."),
            ("date", "The coast guard rescued 56 migrants off Lampedusa on Thursday."),
        ),
    ),
    Topic(
        "The mayor said the new metro line in Warsaw will open in 2028.",
        (
            "Warsaw's new metro line is due to open in 2028, the mayor said.",
            "According to the mayor, the Warsaw metro line will start running in 2028.",
        ),
        (
            ("date", "The mayor said the new metro line in Warsaw will open in 2030."),
            ("negation", "The mayor said the new metro line in Warsaw will not open in 2028."),
            ("place", "The mayor said the new metro line in Krakow will open in 2028."),
        ),
    ),
    Topic(
        "Eighteen protesters were detained in Belgrade after clashes with police.",
        (
            "Police in Belgrade detained 18 demonstrators after the clashes.",
            "After clashes with police, 18 protesters were held in Belgrade.",
        ),
        (
            ("figure", "Eighty people were detained in Belgrade after clashes with police."),
            ("place", "Eighteen protesters were detained in Novi Sad after clashes with police."),
            ("negation", "Police said no protesters were detained in Belgrade after the clashes."),
        ),
    ),
    Topic(
        "Norway's wealth fund lost $40 billion in the first half of the year.",
        (
            "In the first half of the year Norway's sovereign wealth fund lost 40 billion dollars.",
            "The Norwegian wealth fund shed $40bn during the first half of the year.",
        ),
        (
            ("figure", "Norway's wealth fund lost $14 billion in the first half of the year."),
            ("negation", "Norway's wealth fund did not lose money in the first half of the year."),
        ),
    ),
    Topic(
        "About 1,500 hectares of forest burned near Marseille this week.",
        (
            "Roughly 1,500 hectares of woodland were burned by fires near Marseille this week.",
            "This week fires near Marseille destroyed some 1.5 thousand hectares of forest.",
        ),
        (
            ("figure", "About 15,000 hectares of forest burned near Marseille this week."),
            ("place", "About 1,500 hectares of forest burned near Toulouse this week."),
        ),
    ),
    Topic(
        "The Czech government confirmed it will buy 24 F-35 fighter jets.",
        (
            "Prague confirmed the purchase of 24 F-35 fighter jets.",
            "The government of the Czech Republic will acquire twenty-four F-35 jets, it confirmed.",
        ),
        (
            ("figure", "The Czech government confirmed it will buy 42 F-35 fighter jets."),
            ("negation", "The Czech government denied it will buy F-35 fighter jets."),
            ("place", "The Slovak government confirmed it will buy 24 F-35 fighter jets."),
        ),
    ),
    Topic(
        "Turnout in the Estonian election was 63.7 percent in March 2023.",
        (
            "In March 2023, 63.7% of voters cast a ballot in Estonia's election.",
            "Estonia's election in March 2023 had a turnout of 63.7 per cent.",
        ),
        (
            ("figure", "Turnout in the Estonian election was 36.7 percent in March 2023."),
            ("date", "Turnout in the Estonian election was 63.7 percent in March 2019."),
            ("place", "Turnout in the Latvian election was 63.7 percent in March 2023."),
        ),
    ),
)


def split_of(index: int) -> Split:
    return "tuning" if index % 2 == 0 else "held-out"


@dataclass(frozen=True)
class Pair:
    topic: int
    a: str
    b: str
    same: bool
    kind: str
    """paraphrase, or the detail a hard negative differs in."""
    split: Split


def pairs() -> list[Pair]:
    """Every labelled pair: the claim with each paraphrase, paraphrases with each other, and the claim and each
    paraphrase with each hard negative."""
    out: list[Pair] = []
    for index, topic in enumerate(TOPICS):
        split = split_of(index)
        cluster = (topic.claim, *topic.same)
        for i, a in enumerate(cluster):
            out += [Pair(index, a, b, True, "paraphrase", split) for b in cluster[i + 1 :]]
        for a in cluster:
            out += [Pair(index, a, b, False, kind, split) for kind, b in topic.different]
    return out
