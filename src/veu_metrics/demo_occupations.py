"""The demo's job titles beyond the reference list: synthetic, plausible titles for a balance of
about 900 titles, as the real Arbejdsmarkedsbalancen has (docs/GENERATOR.md).

Titles are built from *families*: a few base titles of one industry group and specialisations
that fit all of them ("Tømrer, energirenovering"). Codes are 6-digit strings whose first digit
follows the ISCO major group of the family (armed forces start with ``0``: leading zeros kept);
they are invented and never reuse a code of the reference list. Deterministic: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from veu_metrics.occupations import (
    INDUSTRY_GROUPS,
    conform_occupations,
    occupations,
    title_key,
)

DEMO_BALANCE_TITLES = 900
"""Titles in the demo's balance: the 87 of the reference list plus synthetic ones."""


@dataclass(frozen=True)
class _Family:
    group: str
    major: str  # the first digit of the codes (ISCO major group)
    vocational: bool
    bases: tuple[tuple[str, str], ...]  # (Danish, English)
    specs: tuple[tuple[str, str], ...]


_FAMILIES: tuple[_Family, ...] = (
    _Family("Bygge og anlæg", "7", True,
            (("Tømrer", "Carpenter"), ("Murer", "Bricklayer"), ("Maler", "Painter"),
             ("Elektriker", "Electrician"), ("VVS-montør", "Plumbing fitter"),
             ("Tagdækker", "Roofer"), ("Glarmester", "Glazier"), ("Brolægger", "Paver"),
             ("Stukkatør", "Plasterer")),
            (("nybyggeri", "new build"), ("renovering", "renovation"),
             ("energirenovering", "energy renovation"), ("boligbyggeri", "housing"),
             ("erhvervsbyggeri", "commercial buildings"), ("restaurering", "restoration"),
             ("vedligehold", "maintenance"), ("offentligt byggeri", "public buildings"))),
    _Family("Bygge og anlæg", "8", False,
            (("Anlægsmedarbejder", "Civil works operative"), ("Rørlægger", "Pipelayer"),
             ("Asfaltarbejder", "Asphalt worker"), ("Kloakrørlægger", "Sewer pipelayer"),
             ("Nedriver", "Demolition worker"), ("Jord- og betonarbejder",
                                                 "Earthworks and concrete worker")),
            (("vejbyggeri", "road construction"), ("jernbane", "railway"),
             ("broer og tunneller", "bridges and tunnels"), ("forsyningsledninger", "utility lines"),
             ("klimatilpasning", "climate adaptation"), ("havneanlæg", "port works"),
             ("byggemodning", "site development"), ("fjernvarme", "district heating"))),
    _Family("Jern, metal og auto", "7", True,
            (("Industrimekaniker", "Industrial mechanic"), ("Pladesmed", "Sheet metal worker"),
             ("Rørsmed", "Pipe fitter"), ("Karrosseritekniker", "Body repair technician"),
             ("Maskinarbejder", "Machinist"), ("Metalsliber", "Metal grinder"),
             ("Skibsmontør", "Ship fitter"), ("Hydrauliktekniker", "Hydraulics technician")),
            (("vindmøller", "wind turbines"), ("skibsværft", "shipyard"),
             ("stålkonstruktioner", "steel structures"), ("rustfrit stål", "stainless steel"),
             ("landbrugsmaskiner", "agricultural machinery"), ("offshore", "offshore"),
             ("reparation", "repair"), ("serieproduktion", "series production"),
             ("fødevareindustri", "food industry"))),
    _Family("Jern, metal og auto", "7", True,
            (("Personvognsmekaniker", "Car mechanic"), ("Autoelektriker", "Auto electrician"),
             ("Dæk- og fælgtekniker", "Tyre and wheel technician"),
             ("Autolakerer", "Vehicle painter"), ("Motorcykelmekaniker", "Motorcycle mechanic")),
            (("elbiler", "electric cars"), ("hybridbiler", "hybrid cars"),
             ("varebiler", "vans"), ("diagnose", "diagnostics"), ("værksted", "workshop"),
             ("forhandler", "dealership"), ("flådeservice", "fleet service"))),
    _Family("Industri og produktion", "8", False,
            (("Maskinoperatør", "Machine operator"), ("Pakkerimedarbejder", "Packing worker"),
             ("Linjeoperatør", "Line operator"), ("Kvalitetsmedarbejder", "Quality inspector"),
             ("Montagemedarbejder", "Assembly worker"), ("Lagerforvalter", "Stores keeper"),
             ("Procesmedarbejder", "Process worker")),
            (("fødevarer", "food"), ("medicinalindustri", "pharmaceuticals"),
             ("plast", "plastics"), ("emballage", "packaging"), ("elektronik", "electronics"),
             ("møbler", "furniture"), ("kemi", "chemicals"), ("træindustri", "wood industry"),
             ("tekstil", "textiles"), ("byggematerialer", "building materials"))),
    _Family("Industri og produktion", "7", True,
            (("Mejerist", "Dairy technician"), ("Slagter", "Butcher"),
             ("Konditor", "Pastry chef"), ("Laborant", "Laboratory technician"),
             ("Produktionsteknolog", "Production technologist"),
             ("Kvalitetstekniker", "Quality technician")),
            (("mejeri", "dairy"), ("slagteri", "slaughterhouse"), ("bageri", "bakery"),
             ("bryggeri", "brewery"), ("medicinalindustri", "pharmaceuticals"),
             ("fiskeindustri", "fish processing"), ("konserves", "canning"),
             ("ingredienser", "ingredients"))),
    _Family("Energi og forsyning", "3", True,
            (("Energitekniker", "Energy technician"), ("Forsyningstekniker", "Utility technician"),
             ("Driftstekniker", "Operations technician"), ("Elnettekniker", "Grid technician"),
             ("Fjernvarmetekniker", "District heating technician"),
             ("Varmepumpeinstallatør", "Heat pump installer"),
             ("Energikonsulent", "Energy consultant")),
            (("vedvarende energi", "renewable energy"), ("vandforsyning", "water supply"),
             ("spildevand", "wastewater"), ("fjernvarme", "district heating"),
             ("elnet", "power grid"), ("biogas", "biogas"), ("solenergi", "solar energy"),
             ("Power-to-X", "Power-to-X"), ("energilagring", "energy storage"),
             ("affald og genanvendelse", "waste and recycling"))),
    _Family("Transport og logistik", "8", False,
            (("Chauffør", "Driver"), ("Varebilschauffør", "Van driver"),
             ("Tankbilchauffør", "Tanker driver"), ("Flyttemand", "Removal worker"),
             ("Pakkeomdeler", "Parcel courier"), ("Havnearbejder", "Dock worker"),
             ("Lagerarbejder", "Warehouse operative")),
            (("fjerntransport", "long haul"), ("distribution", "distribution"),
             ("havn", "port"), ("lufthavn", "airport"), ("kølevarer", "refrigerated goods"),
             ("farligt gods", "dangerous goods"), ("e-handel", "e-commerce"),
             ("byggepladser", "construction sites"), ("renovation", "refuse collection"))),
    _Family("Transport og logistik", "4", True,
            (("Speditør", "Freight forwarder"), ("Disponent", "Transport planner"),
             ("Lagerkoordinator", "Warehouse coordinator"), ("Logistikplanlægger",
                                                            "Logistics planner"),
             ("Toldmedarbejder", "Customs clerk"), ("Indkøbsassistent", "Purchasing assistant")),
            (("vejtransport", "road transport"), ("søfart", "shipping"),
             ("luftfragt", "air freight"), ("e-handel", "e-commerce"), ("detailhandel", "retail"),
             ("produktion", "manufacturing"), ("kølekæde", "cold chain"),
             ("import og eksport", "import and export"))),
    _Family("Sundhed, omsorg og pleje", "3", True,
            (("Ergoterapeut", "Occupational therapist"), ("Specialsygeplejerske", "Specialist nurse"),
             ("Radiograf", "Radiographer"), ("Bioanalytiker", "Biomedical laboratory scientist"),
             ("Tandplejer", "Dental hygienist"), ("Sundhedsplejerske", "Health visitor"),
             ("Diætist", "Dietitian"), ("Paramediciner", "Paramedic")),
            (("hospital", "hospital"), ("psykiatri", "psychiatry"),
             ("ældrepleje", "elderly care"), ("hjemmepleje", "home care"),
             ("rehabilitering", "rehabilitation"), ("børn og unge", "children and young people"),
             ("akutmodtagelse", "emergency department"), ("kommunal sundhed", "municipal health"),
             ("praksissektoren", "primary care"))),
    _Family("Sundhed, omsorg og pleje", "5", False,
            (("Portør", "Hospital porter"), ("Plejehjemsmedarbejder", "Care home worker"),
             ("Hjemmehjælper", "Home help"), ("Handicaphjælper", "Disability assistant"),
             ("Afløser i plejen", "Relief care worker")),
            (("dag", "day shift"), ("aften", "evening shift"), ("nat", "night shift"),
             ("demens", "dementia"), ("psykiatri", "psychiatry"), ("botilbud", "supported housing"),
             ("borgerstyret personlig assistance", "user-directed personal assistance"))),
    _Family("Pædagogisk arbejde", "2", True,
            (("Lærer", "Teacher"), ("Underviser", "Instructor"),
             ("Socialpædagog", "Social educator"), ("Specialpædagog", "Special needs educator"),
             ("Vejleder", "Guidance counsellor"), ("Faglærer", "Vocational teacher"),
             ("Støttepædagog", "Support educator")),
            (("vuggestue", "nursery"), ("børnehave", "kindergarten"),
             ("SFO", "after-school care"), ("specialområdet", "special needs"),
             ("bosted", "residential care"), ("fritidsklub", "youth club"),
             ("folkeskole", "primary school"), ("voksenundervisning", "adult education"),
             ("erhvervsuddannelser", "vocational education"))),
    _Family("Pædagogisk arbejde", "5", False,
            (("Dagplejer", "Childminder"), ("Skolebuschauffør og medhjælper",
                                            "School bus driver and aide"),
             ("Klubmedarbejder", "Youth club worker"), ("Omsorgsmedhjælper", "Care aide")),
            (("kommunal dagpleje", "municipal childminding"), ("privat", "private"),
             ("puljeordning", "independent scheme"), ("weekend", "weekend"))),
    _Family("Køkken, restaurant og rengøring", "5", True,
            (("Cater", "Caterer"), ("Receptionist", "Receptionist"),
             ("Serviceassistent", "Service assistant"), ("Tjenerelev", "Trainee waiter"),
             ("Smørrebrødsjomfru", "Open sandwich maker"), ("Husøkonom", "Household manager"),
             ("Hotelmedarbejder", "Hotel worker")),
            (("restaurant", "restaurant"), ("kantine", "canteen"), ("hotel", "hotel"),
             ("storkøkken", "institutional kitchen"), ("hospital", "hospital"),
             ("events", "events"), ("konferencecenter", "conference centre"),
             ("plejecenter", "care centre"))),
    _Family("Køkken, restaurant og rengøring", "9", False,
            (("Opvasker", "Dishwasher"), ("Rengøringsmedarbejder", "Cleaning operative"),
             ("Vinduespudser", "Window cleaner"), ("Kantinemedarbejder", "Canteen worker"),
             ("Stuepige", "Housekeeper"), ("Servicemedarbejder", "Service worker")),
            (("kontorer", "offices"), ("skoler", "schools"), ("hospitaler", "hospitals"),
             ("hoteller", "hotels"), ("industri", "industry"), ("private hjem", "private homes"),
             ("transportmidler", "vehicles"), ("butikker", "shops"))),
    _Family("IT og telekommunikation", "2", True,
            (("Systemudvikler", "Systems developer"), ("Systemadministrator",
                                                       "System administrator"),
             ("Dataanalytiker", "Data analyst"), ("It-arkitekt", "IT architect"),
             ("Testspecialist", "Test specialist"), ("It-projektleder", "IT project manager"),
             ("Webudvikler", "Web developer")),
            (("cloud", "cloud"), ("infrastruktur", "infrastructure"),
             ("offentlig sektor", "public sector"), ("industri", "industry"),
             ("sundheds-it", "health IT"), ("databaser", "databases"),
             ("finans", "finance"), ("e-handel", "e-commerce"), ("kunstig intelligens",
                                                                "artificial intelligence"))),
    _Family("IT og telekommunikation", "3", True,
            (("Telemontør", "Telecom fitter"), ("It-tekniker", "IT technician"),
             ("Fibermontør", "Fibre installer"), ("Supporttekniker", "Support technician"),
             ("Servicedesk-medarbejder", "Service desk agent")),
            (("fibernet", "fibre network"), ("mobilnet", "mobile network"),
             ("kontorit", "office IT"), ("skoler", "schools"), ("hospitaler", "hospitals"),
             ("datacentre", "data centres"), ("virksomheder", "businesses"))),
    _Family("Kontor, handel og service", "4", True,
            (("Administrativ medarbejder", "Administrative officer"),
             ("Lønbogholder", "Payroll clerk"), ("Sekretær", "Secretary"),
             ("Kreditormedarbejder", "Accounts payable clerk"),
             ("Sagsbehandler", "Caseworker"), ("Regnskabsassistent", "Accounting assistant"),
             ("Juridisk sekretær", "Legal secretary")),
            (("offentlig administration", "public administration"),
             ("bank og forsikring", "banking and insurance"),
             ("ejendomsadministration", "property management"), ("revision", "auditing"),
             ("advokatkontor", "law office"), ("sundhedsvæsen", "health service"),
             ("jobcenter", "job centre"), ("byggeri", "construction"),
             ("industri", "industry"))),
    _Family("Kontor, handel og service", "5", True,
            (("Salgsassistent", "Sales assistant"), ("Kundekonsulent", "Customer adviser"),
             ("Butiksleder", "Store manager"), ("Indkøber", "Buyer"),
             ("Ekspedient", "Shop clerk"), ("Visual merchandiser", "Visual merchandiser")),
            (("dagligvarer", "groceries"), ("tøj og mode", "clothing and fashion"),
             ("byggemarked", "DIY store"), ("elektronik", "electronics"),
             ("engroshandel", "wholesale"), ("webshop", "web shop"), ("apotek", "pharmacy"),
             ("møbler", "furniture"), ("biler", "cars"))),
    _Family("Kontor, handel og service", "0", True,
            (("Konstabel", "Private"), ("Sergent", "Sergeant"), ("Officer", "Officer")),
            (("hæren", "army"), ("søværnet", "navy"), ("flyvevåbnet", "air force"),
             ("hjemmeværnet", "home guard"))),
    _Family("Landbrug, skovbrug og fiskeri", "6", True,
            (("Driftsleder i landbruget", "Farm manager"), ("Staldmedarbejder", "Stockperson"),
             ("Landbrugsmaskinfører", "Agricultural machine operator"),
             ("Fodermester", "Herdsperson"), ("Landbrugsassistent", "Farm assistant")),
            (("kvæg", "cattle"), ("svin", "pigs"), ("fjerkræ", "poultry"),
             ("planteavl", "crop farming"), ("økologi", "organic farming"),
             ("mælkeproduktion", "dairy farming"), ("frø og korn", "seed and grain"))),
    _Family("Landbrug, skovbrug og fiskeri", "6", True,
            (("Væksthusgartner", "Greenhouse gardener"), ("Planteskolegartner",
                                                         "Nursery gardener"),
             ("Frugtavler", "Fruit grower"), ("Parkarbejder", "Park worker"),
             ("Greenkeeper", "Greenkeeper")),
            (("grøntsager", "vegetables"), ("potteplanter", "pot plants"),
             ("juletræer", "Christmas trees"), ("naturpleje", "nature management"),
             ("golfbaner", "golf courses"), ("parker", "parks"), ("frugtavl", "fruit growing"))),
    _Family("Landbrug, skovbrug og fiskeri", "6", False,
            (("Fiskeriarbejder", "Fishery worker"), ("Dambrugsmedarbejder", "Fish farm worker"),
             ("Skibsmedhjælper i fiskeriet", "Fishing deckhand")),
            (("kystfiskeri", "coastal fishing"), ("havfiskeri", "deep-sea fishing"),
             ("akvakultur", "aquaculture"), ("muslinger og østers", "mussels and oysters"))),
)


@cache
def demo_occupations(total: int = DEMO_BALANCE_TITLES) -> pl.DataFrame:
    """The synthetic titles that bring the reference list up to ``total`` (same columns as
    ``occupations()``; themes empty). Every family contributes, in turn, so the cut at ``total``
    keeps all industry groups."""
    reference = occupations()
    taken_titles = {title_key(t) for t in reference["title_da"]}
    taken_codes = set(reference["occupation_code"])
    per_family: list[list[tuple[str, str, str, str, bool]]] = []
    counters: dict[str, int] = {}
    for family in _FAMILIES:
        rows = []
        titles = [(b_da, b_en) for b_da, b_en in family.bases]
        titles += [(f"{b_da}, {s_da}", f"{b_en}, {s_en}")
                   for b_da, b_en in family.bases for s_da, s_en in family.specs]
        for title_da, title_en in titles:
            if title_key(title_da) in taken_titles:
                continue
            taken_titles.add(title_key(title_da))
            while True:
                counters[family.major] = counters.get(family.major, 0) + 1
                code = f"{family.major}{90000 + counters[family.major] * 7 % 10000:05d}"
                if code not in taken_codes:
                    break
            taken_codes.add(code)
            rows.append((code, title_da, title_en, family.group, family.vocational))
        per_family.append(rows)
    needed = total - reference.height
    chosen: list[tuple[str, str, str, str, bool]] = []
    depth = 0
    while len(chosen) < needed:
        added = False
        for rows in per_family:
            if depth < len(rows) and len(chosen) < needed:
                chosen.append(rows[depth])
                added = True
        if not added:
            raise ValueError(f"the demo's title families give only {len(chosen)} titles, "
                             f"{needed} needed")
        depth += 1
    frame = pl.DataFrame(chosen, schema=["occupation_code", "title_da", "title_en",
                                         "industry_group", "vocational_required"], orient="row")
    assert set(frame["industry_group"]) <= set(INDUSTRY_GROUPS)
    return conform_occupations(frame).sort("occupation_code")
