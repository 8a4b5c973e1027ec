"""A realistic, deterministic synthetic dataset in the project's data model (the demo data).

Same seed and same ``until`` give byte-identical files (``created_at`` is derived from ``until``,
not from the clock). Enrolments are generated and written in chunks of courses, so 10 million
rows fit in bounded memory. The numbers are invented; only their *shape* is realistic: seasonality,
the COVID-19 dip and upskilling surge, Job-VEU growth, volume following the population with more
AMU west of Storebælt, tiny island municipalities, shortage occupations with better job outcomes.
See docs/GENERATOR.md.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from veu_metrics import generate_conditions, schema
from veu_metrics.dataset import write_metadata
from veu_metrics.demo_occupations import demo_occupations
from veu_metrics.geography import (
    COUNCIL_AREAS,
    RAR_AREAS,
    AreaScheme,
    municipalities,
    scheme_for,
)
from veu_metrics.occupations import (
    INDUSTRY_GROUP_ENUM,
    INDUSTRY_GROUPS,
    OCCUPATIONS_FILE,
    occupations,
)
from veu_metrics.periods import (
    add_months,
    half_year_index,
    half_year_label_of_index,
    half_year_start,
    month_end,
    month_range,
)
from veu_metrics.settings import DEFAULT_DEMO_ENROLMENTS, Settings

ProgressCallback = Callable[[float, str], None]
Progress = ProgressCallback | str | None

FIRST_MONTH = date(2018, 1, 1)
DEFAULT_CHUNK_ENROLMENTS = 1_000_000
DATASET_NAME = "Demodata (syntetisk)"
DATASET_SOURCE = "Syntetiske data genereret af veu-metrics — ikke rigtige tal"


class GenerateError(ValueError):
    """The generator cannot run with these arguments; the message says what to fix."""


# --------------------------------------------------------------------------------------------
# Catalogues (invented but plausible). Indexes into schema enums are by position.
# --------------------------------------------------------------------------------------------

# AMU-style course topics per occupation code: (topic, course days). Shared topics (e.g. welding
# for welders and smiths) get the same AMU number.
OCCUPATION_TOPICS: dict[str, tuple[tuple[str, float], ...]] = {
    "532110": (("Medicinhåndtering", 3), ("Observation af den ældre borger", 3), ("Sårpleje", 2)),
    "532120": (("Demens og kommunikation", 5), ("Forflytning og hjælpemidler", 2),
               ("Hygiejne og smitteforebyggelse", 1)),
    "222110": (("Rehabilitering i kommunen", 3), ("Palliation", 3)),
    "532910": (("Hospitalshygiejne", 3), ("Patientforflytning", 2)),
    "226410": (("Træning af ældre", 2), ("Velfærdsteknologi i træning", 2)),
    "325110": (("Sterilisation og hygiejne i klinikken", 2), ("Røntgen i tandklinikken", 2)),
    "341210": (("Sprogstimulering af børn", 3), ("Inklusion i dagtilbud", 3)),
    "531210": (("Pædagogisk arbejde med børns leg", 5), ("Sprogstimulering af børn", 3)),
    "531110": (("Pædagogmedhjælperens rolle", 5), ("Førstehjælp til børn", 1)),
    "234110": (("Digitale læremidler", 2), ("Undervisning af tosprogede elever", 3)),
    "741110": (("Solcelleanlæg", 3), ("Ladestandere til elbiler", 2),
               ("El-sikkerhed ved arbejde på installationer", 2)),
    "741310": (("Installatøransvar og autorisation", 5), ("Energioptimering af el-installationer", 3)),
    "711510": (("Montage af vinduer og døre", 3), ("Energirenovering af klimaskærm", 5),
               ("Træbeskyttelse og byggefugt", 2)),
    "711220": (("Facaderenovering", 5), ("Vådrumsmembraner", 2)),
    "712610": (("Varmepumper, installation", 5), ("Vandinstallationer", 3)),
    "712620": (("Varmepumper, service", 3), ("Energiberegning af varmeanlæg", 3)),
    "713110": (("Spartling og overfladebehandling", 5), ("Miljørigtig malerbehandling", 2)),
    "711910": (("Opstilling af systemstilladser", 5), ("Stilladsbeklædning og inddækning", 3)),
    "711410": (("Forskalling", 5), ("Armering af betonkonstruktioner", 5)),
    "931210": (("Sikkerhed ved vejarbejde", 2), ("Kloakering, rørlægning", 10)),
    "834210": (("Gravemaskine, betjening", 15), ("GPS-styring af entreprenørmaskiner", 3)),
    "712710": (("Naturlige kølemidler", 4), ("Certifikat til arbejde med kølemidler", 5)),
    "712210": (("Lægning af vinylgulve", 3), ("Trægulve, slibning og behandling", 3)),
    "711530": (("CNC-bearbejdning af træ", 5), ("Inventarmontage", 3)),
    "312310": (("Byggepladsens ledelse", 5), ("Arbejdsmiljøkoordinering på byggepladsen", 3)),
    "721210": (("Svejsning af stumpsømme", 5), ("MIG/MAG-svejsning af kantsømme", 5),
               ("TIG-svejsning af rør", 10)),
    "721410": (("Svejsning af stumpsømme", 5), ("Kantbukning af plader", 3),
               ("Montage af stålkonstruktioner", 5)),
    "722310": (("CNC-drejning, programmering", 10), ("CNC-fræsning, opstilling", 5)),
    "722320": (("Måleteknik og kvalitetskontrol", 3), ("Hydraulik, grundlæggende", 5)),
    "723110": (("Service på el- og hybridbiler", 5), ("Fejlfinding på motorstyring", 3)),
    "723130": (("Bremsesystemer på tunge køretøjer", 4), ("Diagnose på lastbiler", 3)),
    "723310": (("Hydraulik på landbrugsmaskiner", 4), ("GPS og præcisionsjordbrug", 2)),
    "721320": (("Rustfrit stål, bearbejdning", 5), ("Svejsning af stumpsømme", 5)),
    "722210": (("Sprøjtestøbeværktøjer", 5), ("CNC-fræsning, opstilling", 5)),
    "723220": (("Vedligehold af flystrukturer", 10), ("Human factors i flyvedligehold", 2)),
    "741210": (("PLC-programmering", 5), ("Robotteknologi, grundlæggende", 5)),
    "821110": (("Montage efter tegning", 3), ("Lean i produktionen", 2)),
    "818910": (("Processtyring og overvågning", 5), ("Fejlfinding i procesanlæg", 3)),
    "816010": (("Fødevarehygiejne", 1), ("Udskæring af svinekød", 5)),
    "751210": (("Surdejsbrød", 2), ("Fødevarehygiejne", 1)),
    "816020": (("Fødevarehygiejne", 1), ("Pakning og emballering af fødevarer", 3)),
    "932910": (("Lean i produktionen", 2), ("Industriel produktion, introduktion", 5)),
    "714210": (("Sprøjtestøbning, opstilling", 5), ("Plastmaterialer og genanvendelse", 2)),
    "731810": (("Vedligehold af produktionsudstyr", 5), ("Robotbetjening", 3)),
    "311510": (("Energioptimering i bygninger", 3), ("Styring af kedelanlæg", 3)),
    "311520": (("GWO Basic Safety Training", 4), ("Service på vindmøller", 5)),
    "741320": (("GWO Sea Survival", 1), ("GWO Basic Safety Training", 4)),
    "313110": (("Biomassefyrede anlæg", 3), ("Processtyring og overvågning", 5)),
    "713310": (("Solcelleanlæg", 3), ("Montage af solceller på tage", 2)),
    "313210": (("Drift af vandværker", 3), ("Hygiejne i vandforsyningen", 1)),
    "754410": (("Energirenovering af klimaskærm", 5), ("Efterisolering af boliger", 3)),
    "833210": (("Erhvervskørekort, kategori C", 20), ("Efteruddannelse for godschauffører", 5),
               ("ADR, farligt gods", 5)),
    "833110": (("Erhvervskørekort, kategori D", 25), ("Efteruddannelse for buschauffører", 5)),
    "832210": (("Taxikørekort, forberedelse", 5), ("Kundeservice i taxi", 1)),
    "432110": (("Lagerstyring og logistik", 3), ("Truckcertifikat B", 5)),
    "834410": (("Truckcertifikat B", 5), ("Truckcertifikat A", 2)),
    "432120": (("Digital lagerstyring", 3), ("Lagerstyring og logistik", 3)),
    "831210": (("Sikkerhed ved jernbanearbejde", 2), ("Kundeservice i kollektiv trafik", 1)),
    "833220": (("Kranførercertifikat B", 10), ("Anhugning af byrder", 2)),
    "962110": (("Sikker kørsel i trafikken", 1), ("Kundeservice", 1)),
    "835010": (("Sikkerhed til søs", 5), ("Førstehjælp til søs", 2)),
    "512010": (("Bæredygtig madlavning", 2), ("Kost til ældre og syge", 3)),
    "941110": (("Hygiejne i køkkenet", 1), ("Køkkenets grundmetoder", 5)),
    "513110": (("Service og værtskab", 3), ("Vin og drikkevarer", 2)),
    "911210": (("Professionel rengøring, grundlæggende", 5), ("Ergonomi i rengøring", 1)),
    "512020": (("Kost til ældre og syge", 3), ("Hygiejne i køkkenet", 1)),
    "515310": (("Bygningsdrift og vedligehold", 5), ("Energistyring i ejendomme", 2)),
    "513210": (("Cocktails og bardrift", 2), ("Service og værtskab", 3)),
    "351210": (("IT-support, brugerhjælp", 5), ("Microsoft 365, administration", 3)),
    "251210": (("Programmering i Python", 5), ("Cloud-udvikling", 3)),
    "252910": (("IT-sikkerhed, grundlæggende", 3), ("Cybersikkerhed i virksomheden", 2)),
    "351310": (("Netværksteknik, grundlæggende", 5), ("Fiberinstallation", 3)),
    "742210": (("Fiberinstallation", 3), ("Netværksteknik, grundlæggende", 5)),
    "251120": (("Databaser og SQL", 5), ("Programmering i Python", 5)),
    "411010": (("Microsoft Excel, videregående", 2), ("Digital sagsbehandling", 3)),
    "431110": (("Bogføring, grundlæggende", 5), ("Digital bogføring og e-fakturering", 3)),
    "522310": (("Salg og kundeservice i detailhandlen", 3), ("Varekendskab", 2)),
    "523010": (("Kundeservice", 1), ("Kasseekspedition", 2)),
    "422210": (("Kundeservice", 1), ("Konflikthåndtering i kundeservice", 2)),
    "541410": (("Vagtuddannelse, grundforløb", 10), ("Konflikthåndtering", 2)),
    "332210": (("Salgsteknik", 3), ("Digital markedsføring", 3)),
    "334310": (("Lægesekretærens kommunikation", 3), ("Digital journalføring", 2)),
    "612110": (("Markbrug, grundlæggende", 5), ("Sprøjtecertifikat", 6)),
    "612120": (("Smittebeskyttelse i svinebesætninger", 2), ("Pasning af søer og smågrise", 5)),
    "611310": (("Planteproduktion i væksthus", 5), ("Biologisk bekæmpelse", 3)),
    "622110": (("Sikkerhed til søs", 5), ("Fiskehåndtering og kvalitet", 2)),
    "921410": (("Belægningsarbejde", 5), ("Grønne tage og regnvandshåndtering", 3)),
}
# Certificates are known by their own name, without the "AMU:" prefix.
UNPREFIXED_TOPICS = frozenset({"Truckcertifikat A", "Truckcertifikat B", "Kranførercertifikat B",
                               "GWO Basic Safety Training", "GWO Sea Survival", "Sprøjtecertifikat"})

# Akademi and diploma module topics per industry group.
HIGHER_TOPICS: dict[str, tuple[str, str]] = {
    "Sundhed, omsorg og pleje": ("Sundhedspædagogik", "Rehabilitering"),
    "Pædagogisk arbejde": ("Pædagogisk udviklingsarbejde", "Inklusion og specialpædagogik"),
    "Bygge og anlæg": ("Byggeri og byggeledelse", "Energirigtigt byggeri"),
    "Jern, metal og auto": ("Produktionsteknologi", "Kvalitetsledelse"),
    "Industri og produktion": ("Produktionsledelse", "Lean og forbedringsarbejde"),
    "Energi og forsyning": ("Energiteknik", "Bæredygtig energi"),
    "Transport og logistik": ("Logistik og supply chain", "Transportplanlægning"),
    "Køkken, restaurant og rengøring": ("Oplevelsesøkonomi", "Serviceledelse"),
    "IT og telekommunikation": ("IT-sikkerhed", "Softwareudvikling"),
    "Kontor, handel og service": ("Økonomi og ressourcestyring", "Salg og markedsføring"),
    "Landbrug, skovbrug og fiskeri": ("Natur og miljø", "Jordbrugets økonomi"),
}
BASIC_SKILLS_TITLES = ("FVU-læsning, trin 2", "FVU-matematik, trin 1", "FVU-digital",
                       "FVU-engelsk", "Ordblindeundervisning (OBU)")

# Course days per participant for types without a topic-specific length.
DAYS_BY_TYPE: dict[str, tuple[float, ...]] = {
    "EUD-enkeltfag": (5, 10, 15, 20),
    "EUV": (40, 60, 80, 100, 120, 160, 200),
    "Akademi": (10, 15, 20),
    "Diplom": (10, 15, 20),
    "FVU/OBU": (5, 10, 15, 20),
    "IKV": (1, 2, 3, 5),
    "Andet": (1, 2, 3, 5),
}
PART_TIME_TYPES = ("Akademi", "Diplom", "FVU/OBU")  # spread over weeks, not full-time days

# Education-type mix by occupation level (ISCO-like first digit of the code).
TYPE_MIX_PROFESSIONAL = (0.05, 0.0, 0.0, 0.25, 0.55, 0.0, 0.05, 0.10)
TYPE_MIX_TECHNICIAN = (0.40, 0.10, 0.05, 0.33, 0.05, 0.0, 0.03, 0.04)
TYPE_MIX_SKILLED = (0.80, 0.07, 0.05, 0.02, 0.0, 0.0, 0.03, 0.03)
BASIC_SKILLS_SHARE = 0.04  # FVU/OBU courses have no occupation

OCCUPATION_POPULARITY: dict[str, float] = {
    "532120": 4.0, "532110": 3.0, "531110": 2.5, "531210": 1.5, "833210": 4.0, "834410": 3.5,
    "432110": 3.0, "721210": 2.5, "721410": 2.0, "741110": 2.0, "911210": 2.0, "941110": 1.5,
    "512010": 1.5, "932910": 2.5, "821110": 1.5, "833110": 1.5, "411010": 1.5, "422210": 1.2,
    "816010": 1.2, "816020": 1.2, "931210": 1.5, "711510": 1.5, "834210": 1.2, "311520": 1.2,
    "612110": 1.2,
}
# Regional industry profile: multipliers of occupation weights per RAR area and industry group.
AREA_INDUSTRY_TILT: dict[str, dict[str, float]] = {
    "hovedstaden": {"IT og telekommunikation": 2.0, "Kontor, handel og service": 1.5,
                    "Industri og produktion": 0.6, "Jern, metal og auto": 0.7,
                    "Landbrug, skovbrug og fiskeri": 0.2, "Energi og forsyning": 0.7},
    "bornholm": {"Landbrug, skovbrug og fiskeri": 2.5, "Køkken, restaurant og rengøring": 1.5,
                 "IT og telekommunikation": 0.4},
    "sjaelland": {"Transport og logistik": 1.3, "Landbrug, skovbrug og fiskeri": 1.2},
    "fyn": {"Jern, metal og auto": 1.1, "Industri og produktion": 1.1},
    "sydjylland": {"Industri og produktion": 1.3, "Jern, metal og auto": 1.3,
                   "Energi og forsyning": 1.6, "Transport og logistik": 1.2,
                   "IT og telekommunikation": 0.6},
    "oestjylland": {"Industri og produktion": 1.1, "IT og telekommunikation": 1.2},
    "vestjylland": {"Industri og produktion": 1.5, "Jern, metal og auto": 1.5,
                    "Energi og forsyning": 1.8, "Landbrug, skovbrug og fiskeri": 2.0,
                    "IT og telekommunikation": 0.5, "Kontor, handel og service": 0.8},
    "nordjylland": {"Industri og produktion": 1.3, "Jern, metal og auto": 1.3,
                    "Landbrug, skovbrug og fiskeri": 2.0, "Energi og forsyning": 1.3,
                    "IT og telekommunikation": 0.6},
}

FOCUS_AREA_BY_GROUP: dict[str, str] = {
    "Sundhed, omsorg og pleje": "Sundhed og omsorg",
    "Pædagogisk arbejde": "Pædagogik og undervisning",
    "Bygge og anlæg": "Bygge og anlæg",
    "Jern, metal og auto": "Industri og produktion",
    "Industri og produktion": "Industri og produktion",
    "Energi og forsyning": "Grøn omstilling",
    "Transport og logistik": "Transport og logistik",
    "Køkken, restaurant og rengøring": "Service og turisme",
    "IT og telekommunikation": "Digitalisering og IT",
    "Kontor, handel og service": "Service og turisme",
    "Landbrug, skovbrug og fiskeri": "Grøn omstilling",
}

FEMALE_SHARE_BY_GROUP: dict[str, float] = {
    "Sundhed, omsorg og pleje": 0.86, "Pædagogisk arbejde": 0.76, "Bygge og anlæg": 0.06,
    "Jern, metal og auto": 0.05, "Industri og produktion": 0.30, "Energi og forsyning": 0.08,
    "Transport og logistik": 0.12, "Køkken, restaurant og rengøring": 0.60,
    "IT og telekommunikation": 0.20, "Kontor, handel og service": 0.65,
    "Landbrug, skovbrug og fiskeri": 0.20,
}
FEMALE_SHARE_BY_OCCUPATION = {"222110": 0.90, "325110": 0.95, "334310": 0.95, "234110": 0.65}

# Labour-market balance: how prone each occupation is to recruitment problems (stationary share
# of Mangel + Paradoks); others get DEFAULT_SHORTAGE_PROPENSITY.
SHORTAGE_PROPENSITY: dict[str, float] = {
    "532110": 0.85, "532120": 0.80, "222110": 0.90, "741110": 0.75, "741310": 0.65,
    "721210": 0.75, "721410": 0.75, "721320": 0.60, "833210": 0.75, "833110": 0.80,
    "251210": 0.70, "252910": 0.80, "351310": 0.60, "741210": 0.65, "722320": 0.55,
    "341210": 0.60, "711510": 0.50, "712610": 0.55, "712620": 0.60, "712710": 0.55,
    "311520": 0.55, "741320": 0.60, "226410": 0.50, "234110": 0.50, "311510": 0.60,
    "723110": 0.45, "723130": 0.55, "512010": 0.45, "531210": 0.40,
    "411010": 0.04, "523010": 0.04, "522310": 0.06, "422210": 0.06, "332210": 0.08,
}
DEFAULT_SHORTAGE_PROPENSITY = 0.15
# The demo's synthetic balance titles (demo_occupations): shortage propensity by industry group
# (×0.6 for titles that need no vocational education, ×0.5–1.5 per title).
GROUP_SHORTAGE_PROPENSITY: dict[str, float] = {
    "Sundhed, omsorg og pleje": 0.65, "Pædagogisk arbejde": 0.45, "Bygge og anlæg": 0.45,
    "Jern, metal og auto": 0.5, "Industri og produktion": 0.2, "Energi og forsyning": 0.4,
    "Transport og logistik": 0.4, "Køkken, restaurant og rengøring": 0.15,
    "IT og telekommunikation": 0.45, "Kontor, handel og service": 0.08,
    "Landbrug, skovbrug og fiskeri": 0.2,
}
BALANCE_STAY_PROBABILITY = 0.85
HEALTH_GROUPS = ("Sundhed, omsorg og pleje",)
# The business cycle's effect on shortage per half-year (COVID slack, 2022 boom).
SHORTAGE_CYCLE: dict[str, float] = {
    "2018H1": 1.0, "2018H2": 1.05, "2019H1": 1.1, "2019H2": 1.1, "2020H1": 0.7, "2020H2": 0.75,
    "2021H1": 0.95, "2021H2": 1.25, "2022H1": 1.3, "2022H2": 1.2, "2023H1": 1.05, "2023H2": 1.0,
    "2024H1": 0.95, "2024H2": 0.95,
}
COUNCIL_FROM_RAR = {"nordjylland": "nordjylland", "midtjylland": "oestjylland",
                    "syddanmark": "sydjylland", "hovedstaden": "hovedstaden",
                    "sjaelland": "sjaelland"}

# Education institutions: (RAR area, name, location, kinds of course they hold).
PROVIDERS: tuple[tuple[str, str, int, str], ...] = (
    ("hovedstaden", "TEC", 167, "tech"),
    ("hovedstaden", "NEXT Uddannelse København", 101, "tech business food"),
    ("hovedstaden", "AMU Hovedstaden", 169, "amu"),
    ("hovedstaden", "SOSU H", 151, "sosu"),
    ("hovedstaden", "Københavns Professionshøjskole", 101, "uc"),
    ("hovedstaden", "Erhvervsakademi København", 101, "akademi"),
    ("hovedstaden", "Københavns VUC", 101, "vuc"),
    ("hovedstaden", "U/NORD", 219, "tech business amu"),
    ("hovedstaden", "Hotel- og Restaurantskolen", 101, "food"),
    ("bornholm", "Campus Bornholm", 400,
     "tech amu sosu business food agri akademi uc vuc"),
    ("sjaelland", "ZBC", 329, "tech business food"),
    ("sjaelland", "EUC Sjælland", 370, "tech amu"),
    ("sjaelland", "CELF", 376, "tech business amu"),
    ("sjaelland", "Roskilde Tekniske Skole", 265, "tech amu"),
    ("sjaelland", "Selandia", 330, "tech amu business"),
    ("sjaelland", "SOSU Sjælland", 370, "sosu"),
    ("sjaelland", "Erhvervsakademi Zealand", 259, "akademi"),
    ("sjaelland", "Professionshøjskolen Absalon", 265, "uc"),
    ("sjaelland", "VUC Storstrøm", 370, "vuc"),
    ("fyn", "SDE - Syddansk Erhvervsskole", 461, "tech business food"),
    ("fyn", "AMU-Fyn", 461, "amu tech"),
    ("fyn", "Svendborg Erhvervsskole", 479, "tech amu"),
    ("fyn", "SOSU Fyn", 461, "sosu"),
    ("fyn", "Erhvervsakademiet Lillebælt", 461, "akademi"),
    ("fyn", "UC Lillebælt", 461, "uc"),
    ("fyn", "VUC Fyn", 461, "vuc"),
    ("fyn", "Dalum Landbrugsskole", 461, "agri"),
    ("sydjylland", "EUC Syd", 540, "tech amu business"),
    ("sydjylland", "Rybners", 561, "tech business food"),
    ("sydjylland", "AMU Syd", 621, "amu tech"),
    ("sydjylland", "Hansenberg", 621, "tech"),
    ("sydjylland", "SOSU Syd", 580, "sosu"),
    ("sydjylland", "SOSU Esbjerg", 561, "sosu"),
    ("sydjylland", "IBA Erhvervsakademi Kolding", 621, "akademi"),
    ("sydjylland", "Erhvervsakademi SydVest", 561, "akademi"),
    ("sydjylland", "UC SYD", 621, "uc"),
    ("sydjylland", "VUC Syd", 510, "vuc"),
    ("sydjylland", "Campus Vejle", 630, "tech business amu"),
    ("sydjylland", "Gråsten Landbrugsskole", 540, "agri"),
    ("oestjylland", "AARHUS TECH", 751, "tech food"),
    ("oestjylland", "Mercantec", 791, "tech amu business"),
    ("oestjylland", "Learnmark Horsens", 615, "tech business"),
    ("oestjylland", "Tradium", 730, "tech business amu"),
    ("oestjylland", "SOSU Østjylland", 751, "sosu"),
    ("oestjylland", "Erhvervsakademi Aarhus", 751, "akademi"),
    ("oestjylland", "VIA University College", 751, "uc"),
    ("oestjylland", "VUC Aarhus", 751, "vuc"),
    ("oestjylland", "Jordbrugets UddannelsesCenter Århus", 751, "agri"),
    ("oestjylland", "Viden Djurs", 707, "tech amu agri"),
    ("vestjylland", "Herningsholm Erhvervsskole", 657, "tech amu"),
    ("vestjylland", "Uddannelsescenter Holstebro", 661, "tech amu business food"),
    ("vestjylland", "Skive College", 779, "tech amu agri"),
    ("vestjylland", "SOSU Midtvest", 661, "sosu"),
    ("vestjylland", "Erhvervsakademi MidtVest", 657, "akademi"),
    ("vestjylland", "VIA University College Holstebro", 661, "uc"),
    ("vestjylland", "VUC Vest", 657, "vuc"),
    ("vestjylland", "Uddannelsescenter Ringkøbing Skjern", 760, "tech business amu"),
    ("nordjylland", "AMU Nordjylland", 851, "amu tech"),
    ("nordjylland", "Tech College Aalborg", 851, "tech food"),
    ("nordjylland", "EUC Nord", 813, "tech business amu"),
    ("nordjylland", "EUC Nordvest", 787, "tech amu agri"),
    ("nordjylland", "SOSU Nord", 851, "sosu"),
    ("nordjylland", "Professionshøjskolen UCN", 851, "uc akademi"),
    ("nordjylland", "VUC Nordjylland", 851, "vuc"),
    ("nordjylland", "Erhvervsskolerne Aars", 820, "tech amu agri"),
    ("nordjylland", "Aalborg Handelsskole", 851, "business"),
)
PROVIDER_KINDS = ("tech", "amu", "sosu", "business", "food", "agri", "akademi", "uc", "vuc")
KIND_FALLBACKS: dict[str, tuple[str, ...]] = {
    "tech": ("amu",), "amu": ("tech",), "sosu": ("amu", "tech"), "business": ("tech",),
    "food": ("amu", "tech"), "agri": ("tech", "amu"), "akademi": ("uc", "business"),
    "uc": ("akademi",), "vuc": ("business", "tech"),
}
KIND_BY_GROUP: dict[str, str] = {
    "Sundhed, omsorg og pleje": "sosu", "Pædagogisk arbejde": "sosu", "Bygge og anlæg": "tech",
    "Jern, metal og auto": "tech", "Industri og produktion": "amu", "Energi og forsyning": "tech",
    "Transport og logistik": "amu", "Køkken, restaurant og rengøring": "food",
    "IT og telekommunikation": "tech", "Kontor, handel og service": "business",
    "Landbrug, skovbrug og fiskeri": "agri",
}
PROVIDER_LOCATION_SHARE = 0.65  # the rest is held out in the area (firms, outposts) …
OUTREACH_DISTANCE_KM = 25.0       # … mostly near the provider

# Volume by month of year (summer and Christmas dips) and by year (COVID dip, upskilling surge).
MONTH_SEASON = (1.0, 1.1, 1.1, 0.95, 1.05, 0.9, 0.3, 0.95, 1.15, 1.05, 1.15, 0.5)
YEAR_LEVEL = {2018: 0.95, 2019: 1.0, 2020: 1.0, 2021: 1.25, 2022: 1.08, 2023: 1.02, 2024: 1.0,
              2025: 0.98}
COVID_2020_MONTHS = (1.0, 1.0, 0.45, 0.2, 0.5, 0.9, 1.0, 1.3, 1.3, 1.3, 1.3, 1.3)
WEST_FACTOR = 1.5  # more AMU per resident west of Storebælt
HIGH_AMU_MUNICIPALITIES = {787: 1.3, 707: 1.3}  # Thisted, Norddjurs

JOB_VEU_SHARE = {2018: 0.04, 2019: 0.07, 2020: 0.15}
JOB_VEU_SHARE_LATER = 0.20
CANCEL_RATE = 0.055

# Funding mix (schema.FUNDING_SCHEMES order) by education type.
FUNDING_MIX: dict[str, tuple[float, ...]] = {
    "AMU": (0.09, 0.08, 0.0, 0.45, 0.0, 0.23, 0.15),
    "EUD-enkeltfag": (0.08, 0.06, 0.0, 0.40, 0.0, 0.20, 0.26),
    "EUV": (0.10, 0.0, 0.0, 0.45, 0.0, 0.10, 0.35),
    "Akademi": (0.02, 0.03, 0.0, 0.15, 0.0, 0.55, 0.25),
    "Diplom": (0.0, 0.0, 0.0, 0.10, 0.0, 0.60, 0.30),
    "FVU/OBU": (0.05, 0.0, 0.0, 0.25, 0.0, 0.05, 0.65),
    "IKV": (0.15, 0.10, 0.0, 0.15, 0.0, 0.05, 0.55),
    "Andet": (0.10, 0.05, 0.0, 0.15, 0.0, 0.30, 0.40),
}
UPSKILLING_LIFT_FROM = date(2020, 8, 1)  # Uddannelsesløft (EUV for unemployed 30+)
# Labour status (Forsikret ledig, Øvrig ledig, Beskæftiget) by funding scheme.
STATUS_BY_FUNDING: tuple[tuple[float, float, float], ...] = (
    (0.65, 0.35, 0.0),   # Regional uddannelsespulje
    (1.0, 0.0, 0.0),     # 6 ugers jobrettet uddannelse
    (1.0, 0.0, 0.0),     # Uddannelsesløft
    (0.0, 0.0, 1.0),     # VEU-godtgørelse
    (0.40, 0.15, 0.45),  # COVID-19 opkvalificering
    (0.0, 0.0, 1.0),     # Virksomhedsbetalt
    (0.12, 0.10, 0.78),  # Andet
)
AGE_PROFILES = (
    (0.06, 0.11, 0.22, 0.25, 0.26, 0.10),  # default
    (0.05, 0.20, 0.35, 0.25, 0.13, 0.02),  # EUV
    (0.0, 0.0, 0.40, 0.32, 0.25, 0.03),    # Uddannelsesløft: 30+
    (0.02, 0.12, 0.35, 0.30, 0.18, 0.03),  # Akademi, Diplom
)
EDUCATION_PROFILES = (
    (0.35, 0.55, 0.06, 0.04),  # AMU, vocational occupation
    (0.62, 0.30, 0.05, 0.03),  # AMU, unskilled occupation
    (0.45, 0.45, 0.06, 0.04),  # EUD-enkeltfag
    (0.88, 0.10, 0.02, 0.00),  # EUV
    (0.08, 0.45, 0.27, 0.20),  # Akademi
    (0.00, 0.05, 0.25, 0.70),  # Diplom
    (0.75, 0.20, 0.04, 0.01),  # FVU/OBU
    (0.85, 0.12, 0.02, 0.01),  # IKV
    (0.40, 0.40, 0.10, 0.10),  # Andet
)
COMPLETION_BY_TYPE = {"AMU": 0.91, "EUD-enkeltfag": 0.88, "EUV": 0.78, "Akademi": 0.82,
                      "Diplom": 0.85, "FVU/OBU": 0.75, "IKV": 0.95, "Andet": 0.88}
REPEAT_PROBABILITY = 0.17  # chance that an enrolment continues the previous similar person's run

# Unemployment: share of the population that is full-time unemployed, by month and place.
UNEMPLOYMENT_BASE_RATE = 0.017  # ≈ AUF01: about 90–105k full-time unemployed a year nationally, 2019–2025
UNEMPLOYMENT_SEASON = (1.12, 1.08, 1.03, 0.98, 0.94, 0.93, 1.02, 0.98, 0.93, 0.94, 0.97, 1.05)
UNEMPLOYMENT_YEAR = {2018: 1.05, 2019: 1.0, 2020: 1.0, 2021: 0.95, 2022: 0.85, 2023: 0.9,
                     2024: 0.95}
UNEMPLOYMENT_COVID = {(2020, 3): 1.25, (2020, 4): 1.5, (2020, 5): 1.45, (2020, 6): 1.35,
                      (2020, 7): 1.3, (2020, 8): 1.25, (2020, 9): 1.2, (2020, 10): 1.18,
                      (2020, 11): 1.18, (2020, 12): 1.2, (2021, 1): 1.22, (2021, 2): 1.2,
                      (2021, 3): 1.12, (2021, 4): 1.05}
UNEMPLOYMENT_PLACE = {360: 1.6, 482: 1.4, 376: 1.35, 183: 1.5, 153: 1.45, 165: 1.4, 101: 1.25,
                      461: 1.3, 851: 1.2, 751: 1.15, 306: 1.2, 330: 1.2, 167: 1.15, 813: 1.15,
                      230: 0.6, 157: 0.65, 223: 0.65, 201: 0.65, 350: 0.7, 530: 0.65, 760: 0.65,
                      756: 0.75, 657: 0.8, 766: 0.75, 710: 0.7, 746: 0.7}

TARGET_MEASURES = ("participations", "courses_started", "job_veu_courses", "aarselever")


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def parse_until(value: str | None, today: date | None = None) -> date:
    """The last month covered, as its first day. ``None`` → the last complete month before today.

    Accepts ``YYYY-MM`` (or a full ``YYYY-MM-DD``, whose day is ignored).
    """
    if value is None or str(value).strip() == "":
        today = today or date.today()
        last = date(today.year, today.month, 1).toordinal() - 1
        previous = date.fromordinal(last)
        return date(previous.year, previous.month, 1)
    text = str(value).strip()
    try:
        parsed = date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise GenerateError(f"until={value!r}: expected a month as YYYY-MM, e.g. 2026-10") from None
    month = date(parsed.year, parsed.month, 1)
    if month < FIRST_MONTH:
        raise GenerateError(f"until={value!r}: the demo data start in 2018-01; pick a later month")
    return month


def _rng(seed: int, stream: int, *extra: int) -> np.random.Generator:
    """Independent random streams, so e.g. the balance does not change with the enrolment count."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream, *extra]))


def _sample_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of a (rows × categories) probability matrix."""
    cumulative = np.cumsum(probs, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(int(probs.shape[0]))[:, None]
    return np.asarray(np.minimum((u > cumulative).sum(axis=1), probs.shape[1] - 1))


def _sample_grouped(rng: np.random.Generator, group: np.ndarray, offsets: np.ndarray,
                    cumulative: np.ndarray) -> np.ndarray:
    """Draw an item per row from the row's group, where ``cumulative`` holds each group's
    normalised cumulative weights back to back (group g spans offsets[g]:offsets[g+1])."""
    shifted = cumulative + np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    position = np.searchsorted(shifted, group + rng.random(group.shape[0]), side="right")
    return np.asarray(np.minimum(position, offsets[group + 1] - 1))


def _grouped_cumulative(weights: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.concatenate([[0], np.cumsum([len(w) for w in weights])])
    cumulative = np.concatenate([np.cumsum(w) / w.sum() for w in weights])
    return offsets, cumulative


def _pick_uniform(rng: np.random.Generator, group: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """A uniformly chosen position within each row's group (groups must be non-empty)."""
    sizes = offsets[group + 1] - offsets[group]
    return np.asarray(offsets[group]
                      + np.minimum((rng.random(group.shape[0]) * sizes).astype(np.int64), sizes - 1))


def _enum(codes: np.ndarray, dtype: pl.Enum, name: str) -> pl.Series:
    return pl.Series(name, codes.astype(np.uint32)).cat.to(dtype)


class _Reporter:
    """Turns the ``progress`` argument into calls: None (silent), "bar" (stderr) or a callable."""

    def __init__(self, progress: Progress):
        if progress is not None and progress != "bar" and not callable(progress):
            raise GenerateError("progress must be None, 'bar' or a callable(fraction, message)")
        self.progress = progress

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if self.progress is None:
            return
        if self.progress == "bar":
            filled = round(fraction * 30)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {message:<40}")
            if fraction >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif callable(self.progress):
            self.progress(fraction, message)


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


@cache
def load_population() -> pl.DataFrame:
    """Approximate population of the 98 municipalities (rounded, around 2024; for weights only)."""
    source = resources.files("veu_metrics") / "reference" / "population.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, schema_overrides={"municipality_code": pl.Int16,
                                                    "population_approx": pl.Int64})
    return frame.select("municipality_code", "population_approx")


@dataclass(frozen=True)
class _Geo:
    codes: np.ndarray        # municipality codes, sorted
    population: np.ndarray
    activity: np.ndarray     # population × west factor: VEU activity weight by residence
    rar: np.ndarray          # RAR area index per municipality
    council: np.ndarray      # council area index per municipality
    rar_codes: tuple[str, ...]
    council_codes: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray


def _geography() -> _Geo:
    frame = municipalities().join(load_population(), on="municipality_code", how="left")
    if frame["population_approx"].null_count():
        raise RuntimeError("reference/population.csv lacks some municipality codes")
    codes = frame["municipality_code"].to_numpy().astype(np.int64)
    population = frame["population_approx"].to_numpy().astype(np.float64)
    west = frame["west_of_storebaelt"].to_numpy()
    activity = population * np.where(west, WEST_FACTOR, 1.0)
    activity *= np.array([HIGH_AMU_MUNICIPALITIES.get(int(c), 1.0) for c in codes])
    rar_codes = tuple(c for c, _, _ in RAR_AREAS)
    council_codes = tuple(c for c, _, _, _ in COUNCIL_AREAS)
    rar = np.array([rar_codes.index(str(v)) for v in frame["rar_code"].cast(pl.String)])
    council = np.array([council_codes.index(str(v)) for v in frame["council_code"].cast(pl.String)])
    return _Geo(codes, population, activity, rar, council, rar_codes, council_codes,
                frame["lat"].to_numpy(), frame["lon"].to_numpy())


@dataclass(frozen=True)
class _Occupations:
    codes: tuple[str, ...]
    groups: tuple[str, ...]
    group_index: np.ndarray
    vocational: np.ndarray
    themes: pl.Series       # List[Enum] per occupation, plus an empty list for "no occupation"
    female_share: np.ndarray
    shortage_propensity: np.ndarray


def _occupations() -> _Occupations:
    occ = occupations()
    codes = tuple(occ["occupation_code"].to_list())
    missing = [c for c in codes if c not in OCCUPATION_TOPICS]
    if missing:
        raise RuntimeError(f"generate.OCCUPATION_TOPICS lacks occupation(s) {missing}")
    groups = tuple(str(g) for g in occ["industry_group"].to_list())
    themes = occ["themes"].extend(pl.Series([[]], dtype=occ["themes"].dtype))
    female = np.array([FEMALE_SHARE_BY_OCCUPATION.get(c, FEMALE_SHARE_BY_GROUP[g])
                       for c, g in zip(codes, groups, strict=True)] + [0.5])
    propensity = np.array([SHORTAGE_PROPENSITY.get(c, DEFAULT_SHORTAGE_PROPENSITY) for c in codes])
    return _Occupations(
        codes=codes, groups=groups,
        group_index=np.array([INDUSTRY_GROUPS.index(g) for g in groups]),
        vocational=occ["vocational_required"].to_numpy(),
        themes=themes, female_share=female, shortage_propensity=propensity,
    )


# --------------------------------------------------------------------------------------------
# Tables that do not depend on the enrolment count
# --------------------------------------------------------------------------------------------


def build_balance(seed: int, until: date, reform_date: date) -> pl.DataFrame:
    """Arbejdsmarkedsbalancen: every occupation × area × half-year, a persistent Markov chain.

    Published per RAR area for half-years starting before the reform, per council area from it;
    at the switch each council inherits the statuses of its main RAR area. The occupations are
    the reference list's (which courses use) and the demo's synthetic titles (about 900 in all,
    ``demo_occupations``), the latter from their own random stream.
    """
    occ = _occupations()
    reference = _balance_chain(_rng(seed, 1), occ.codes, occ.groups, occ.shortage_propensity,
                               until, reform_date)
    extra = demo_occupations()
    rng = _rng(seed, 6)
    groups = tuple(str(g) for g in extra["industry_group"].to_list())
    propensity = np.array([GROUP_SHORTAGE_PROPENSITY[g] for g in groups])
    propensity = propensity * np.where(extra["vocational_required"].to_numpy(), 1.0, 0.6)
    propensity = np.clip(propensity * rng.uniform(0.5, 1.5, size=len(groups)), 0.02, 0.9)
    demo = _balance_chain(rng, tuple(extra["occupation_code"].to_list()), groups, propensity,
                          until, reform_date)
    return schema.conform("balance", pl.concat([reference, demo]).sort("half_year",
                                                                       maintain_order=True))


def _balance_chain(rng: np.random.Generator, occupation_codes: tuple[str, ...],
                   groups: tuple[str, ...], shortage_propensity: np.ndarray, until: date,
                   reform_date: date) -> pl.DataFrame:
    """The balance's Markov chain for some occupations (see ``build_balance``)."""
    rar_codes = [c for c, _, _ in RAR_AREAS]
    council_codes = [c for c, _, _, _ in COUNCIL_AREAS]
    n_occ = len(occupation_codes)
    noise = rng.uniform(0.8, 1.2, size=(n_occ, len(rar_codes)))
    health = np.isin(np.array(groups), HEALTH_GROUPS)

    def stationary(label: str, area_noise: np.ndarray) -> np.ndarray:
        cycle = SHORTAGE_CYCLE.get(label, 0.9)
        factor = np.where(health, max(cycle, 1.0), cycle)[:, None]
        s = np.clip(shortage_propensity[:, None] * area_noise * factor, 0.02, 0.95)
        return np.stack([0.8 * s, 0.2 * s, 0.6 * (1 - s), 0.4 * (1 - s)], axis=-1)

    def step(state: np.ndarray | None, probs: np.ndarray) -> np.ndarray:
        flat = probs.reshape(-1, 4)
        fresh = _sample_rows(rng, flat).reshape(probs.shape[:2])
        if state is None:
            return fresh
        stay = rng.random(state.shape) < BALANCE_STAY_PROBABILITY
        return np.where(stay, state, fresh)

    frames = []
    state: np.ndarray | None = None
    scheme_now = "rar"
    for index in range(half_year_index(date(FIRST_MONTH.year, 1, 1)), half_year_index(until) + 1):
        label = half_year_label_of_index(index)
        scheme = scheme_for(half_year_start(index), reform_date)
        if scheme == "council" and scheme_now == "rar":
            # the new councils inherit the statuses of the RAR area that covers most of them
            council_noise = noise[:, [rar_codes.index(COUNCIL_FROM_RAR[c]) for c in council_codes]]
            if state is not None:
                state = state[:, [rar_codes.index(COUNCIL_FROM_RAR[c]) for c in council_codes]]
            noise = council_noise
            scheme_now = "council"
        codes = council_codes if scheme_now == "council" else rar_codes
        state = step(state, stationary(label, noise))
        frames.append(pl.DataFrame({
            "half_year": label,
            "area_scheme": scheme_now,
            "area_code": np.repeat(np.array(codes)[None, :], n_occ, axis=0).ravel(),
            "occupation_code": np.repeat(np.array(occupation_codes), len(codes)),
            "status": _enum(state.ravel(), schema.BALANCE_STATUS_ENUM, "status"),
        }))
    return schema.conform("balance", pl.concat(frames))


def build_unemployment(seed: int, until: date) -> pl.DataFrame:
    """Monthly full-time unemployed per municipality: population × local level × season × COVID."""
    rng = _rng(seed, 2)
    geo = _geography()
    months = month_range(FIRST_MONTH, until)
    place = np.array([UNEMPLOYMENT_PLACE.get(int(c), 1.0) for c in geo.codes])
    place *= rng.uniform(0.9, 1.1, size=len(geo.codes))
    insured_share = rng.uniform(0.61, 0.69, size=len(geo.codes))
    time_factor = np.array([
        UNEMPLOYMENT_SEASON[m.month - 1] * UNEMPLOYMENT_YEAR.get(m.year, 1.0)
        * UNEMPLOYMENT_COVID.get((m.year, m.month), 1.0)
        for m in months
    ])
    shape = (len(months), len(geo.codes))
    full = (geo.population * UNEMPLOYMENT_BASE_RATE * place)[None, :] * time_factor[:, None]
    full = np.round(full * rng.normal(1.0, 0.03, size=shape))
    insured = np.minimum(np.round(full * insured_share[None, :] * rng.normal(1.0, 0.01, size=shape)),
                         full)
    frame = pl.DataFrame({
        "month": np.repeat(np.array(months, dtype="datetime64[D]"), len(geo.codes)),
        "municipality_code": np.tile(geo.codes, len(months)),
        "full_time_unemployed": np.maximum(full, 0.0).ravel(),
        "insured_unemployed": np.maximum(insured, 0.0).ravel(),
    })
    return schema.conform("unemployment", frame)


# --------------------------------------------------------------------------------------------
# Courses
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Templates:
    """Every course a (occupation, education type) can be: title, AMU number, fixed days."""

    titles: pl.Series
    amu_numbers: pl.Series
    days: np.ndarray        # NaN: draw from DAYS_BY_TYPE
    offsets: np.ndarray     # group (occupation slot × type) → template range


def _templates(occ: _Occupations) -> _Templates:
    types = schema.EDUCATION_TYPES
    amu_topics = sorted({t for topics in OCCUPATION_TOPICS.values() for t, _ in topics})
    amu_number = {topic: f"{40100 + 37 * i:05d}" for i, topic in enumerate(amu_topics)}
    titles: list[str] = []
    numbers: list[str | None] = []
    days: list[float] = []
    offsets = [0]
    occ_titles = dict(zip(occupations()["occupation_code"], occupations()["title_da"], strict=True))
    for slot in range(len(occ.codes) + 1):  # the last slot: no occupation
        code = occ.codes[slot] if slot < len(occ.codes) else None
        for etype in types:
            entries: list[tuple[str, str | None, float]] = []
            if code is None:
                if etype == "FVU/OBU":
                    entries = [(t, None, math.nan) for t in BASIC_SKILLS_TITLES]
            elif etype == "FVU/OBU":
                entries = []
            else:
                topics = OCCUPATION_TOPICS[code]
                group = occ.groups[slot]
                name = occ_titles[code]
                if etype == "AMU":
                    entries = [(t if t in UNPREFIXED_TOPICS else f"AMU: {t}", amu_number[t], float(d))
                               for t, d in topics]
                elif etype == "EUD-enkeltfag":
                    entries = [(f"{name}: {t[0].lower()}{t[1:]}", None, math.nan) for t, _ in topics]
                elif etype == "EUV":
                    entries = [(f"EUV: {name}", None, math.nan)]
                elif etype == "Akademi":
                    entries = [(f"Akademiuddannelse: {t}", None, math.nan) for t in HIGHER_TOPICS[group]]
                elif etype == "Diplom":
                    entries = [(f"Diplommodul: {t}", None, math.nan) for t in HIGHER_TOPICS[group]]
                elif etype == "IKV":
                    entries = [(f"IKV: {name}", None, math.nan)]
                else:  # Andet
                    entries = [(f"Kursus: {t}", None, math.nan) for t, _ in topics]
            for title, number, d in entries:
                titles.append(title)
                numbers.append(number)
                days.append(d)
            offsets.append(len(titles))
    return _Templates(pl.Series("title", titles), pl.Series("amu_number", numbers, dtype=pl.String),
                      np.array(days), np.array(offsets))


def _outreach_weights(geo: _Geo) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per provider: the municipalities of its RAR area and how likely it holds a course there
    (activity, fading with distance from the provider)."""
    out = []
    for area_code, _, home, _ in PROVIDERS:
        munis = np.flatnonzero(geo.rar == geo.rar_codes.index(area_code))
        at = int(np.flatnonzero(geo.codes == home)[0])
        km_lat = (geo.lat[munis] - geo.lat[at]) * 111.0
        km_lon = (geo.lon[munis] - geo.lon[at]) * 111.0 * math.cos(math.radians(geo.lat[at]))
        distance = np.hypot(km_lat, km_lon)
        out.append((munis, geo.activity[munis] * np.exp(-distance / OUTREACH_DISTANCE_KM)))
    return out


def _month_weights(months: list[date]) -> np.ndarray:
    weights = []
    for m in months:
        level = YEAR_LEVEL.get(m.year, 1.0)
        if m.year == 2020:
            level *= COVID_2020_MONTHS[m.month - 1]
        weights.append(MONTH_SEASON[m.month - 1] * level)
    return np.array(weights)


def _cancel_rate(months: list[date]) -> np.ndarray:
    rates = []
    for m in months:
        rate = CANCEL_RATE + (0.03 if m.month == 7 else 0.0) + (0.02 if m.month == 12 else 0.0)
        if (m.year, m.month) in {(2020, 3), (2020, 4)}:
            rate = 0.35
        elif (m.year, m.month) == (2020, 5):
            rate = 0.2
        rates.append(rate)
    return np.array(rates)


def _funding_probs(types: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per-course funding probabilities (rows × FUNDING_SCHEMES) by type and start date."""
    base = np.array([FUNDING_MIX[t] for t in schema.EDUCATION_TYPES])[types].copy()
    start_month = starts.astype("datetime64[M]")
    crisis = (start_month >= np.datetime64("2020-03")) & (start_month <= np.datetime64("2021-06"))
    base[crisis, 0:2] *= 1.6  # more unemployed in the crisis: more pulje / 6 weeks courses
    covid = np.select(
        [(start_month >= np.datetime64("2020-06")) & (start_month <= np.datetime64("2020-12")),
         (start_month >= np.datetime64("2021-01")) & (start_month <= np.datetime64("2021-12")),
         (start_month >= np.datetime64("2022-01")) & (start_month <= np.datetime64("2022-12")),
         (start_month >= np.datetime64("2023-01")) & (start_month <= np.datetime64("2023-12"))],
        [0.25, 0.22, 0.10, 0.05], 0.0)
    base[:, 4] = covid * base[:, :].sum(axis=1) / np.maximum(1 - covid, 1e-9)
    euv = types == schema.EDUCATION_TYPES.index("EUV")
    lift = euv & (starts >= np.datetime64(UPSKILLING_LIFT_FROM))
    base[lift, 2] = 0.35
    return np.asarray(base)


def _weekday_start(month_start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random weekday within each month (courses start on working days)."""
    month_days = (month_start.astype("datetime64[M]") + 1).astype("datetime64[D]") - month_start
    offset = (rng.random(month_start.shape[0]) * month_days.astype(np.int64)).astype(np.int64)
    day = month_start + offset.astype("timedelta64[D]")
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    forward = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    moved = day + forward.astype("timedelta64[D]")
    outside = moved.astype("datetime64[M]") != month_start.astype("datetime64[M]")
    back = np.where(weekday == 5, -1, -2)
    return np.asarray(np.where(outside, day + back.astype("timedelta64[D]"), moved))


@dataclass
class _Courses:
    frame: pl.DataFrame           # the courses table, in course order
    participants: np.ndarray      # per course (0 when cancelled)
    # course attributes the enrolments need, in course order
    location_index: np.ndarray
    rar: np.ndarray
    occ_slot: np.ndarray
    type_index: np.ndarray
    funding: np.ndarray
    end: np.ndarray
    shortage: np.ndarray
    known_3m: np.ndarray
    known_6m: np.ndarray
    ended: np.ndarray
    covid_end: np.ndarray


def _draw_course_skeleton(rng: np.random.Generator, enrolments: int, month_cum: np.ndarray,
                          cancel_rate: np.ndarray, covid_fill: np.ndarray,
                          area_cum: np.ndarray) -> dict[str, np.ndarray]:
    """Draw courses until their participants add up to exactly ``enrolments``."""
    size = max(64, int(enrolments / 6) + 64)
    while True:
        month = np.minimum(np.searchsorted(month_cum, rng.random(size), side="right"), len(month_cum) - 1)
        area = np.minimum(np.searchsorted(area_cum, rng.random(size), side="right"), len(area_cum) - 1)
        seats = np.clip(np.round(rng.normal(14.5, 3.5, size)), 8, 24).astype(np.int64)
        cancelled = rng.random(size) < cancel_rate[month]
        fill = rng.beta(5, 3, size) * covid_fill[month]
        participants = np.clip(rng.binomial(seats, fill), 1, seats)
        participants[cancelled] = 0
        total = np.cumsum(participants)
        if total[-1] >= enrolments:
            break
        size *= 2  # rare: a very small request; draw a larger batch from the same stream
    last = int(np.searchsorted(total, enrolments))
    keep = last + 1
    participants = participants[:keep].copy()
    participants[last] -= int(total[last] - enrolments)
    return {"month": month[:keep], "area": area[:keep], "seats": seats[:keep],
            "cancelled": cancelled[:keep], "participants": participants}


def build_courses(seed: int, enrolments: int, until: date, reform_date: date,
                  balance: pl.DataFrame) -> _Courses:
    rng = _rng(seed, 3, enrolments)
    geo = _geography()
    occ = _occupations()
    templates = _templates(occ)
    covers_to = month_end(until)
    months = month_range(FIRST_MONTH, until)
    month_w = _month_weights(months)
    covid_fill = np.array([0.7 if (m.year, m.month) in {(2020, 3), (2020, 4), (2020, 5)} else 1.0
                           for m in months])
    n_rar = len(geo.rar_codes)
    area_w = np.bincount(geo.rar, weights=geo.activity, minlength=n_rar)
    sk = _draw_course_skeleton(rng, enrolments, np.cumsum(month_w) / month_w.sum(),
                               _cancel_rate(months), covid_fill, np.cumsum(area_w) / area_w.sum())
    n = int(sk["month"].shape[0])
    area = sk["area"]

    # occupation by area (regional industry profile), then education type by occupation level
    occ_w = []
    for code in geo.rar_codes:
        tilt = AREA_INDUSTRY_TILT.get(code, {})
        occ_w.append(np.array([
            OCCUPATION_POPULARITY.get(c, 0.6 if c.startswith("2") else 1.0) * tilt.get(g, 1.0)
            for c, g in zip(occ.codes, occ.groups, strict=True)
        ]))
    offsets, cumulative = _grouped_cumulative(occ_w)
    occ_slot = _sample_grouped(rng, area, offsets, cumulative) - offsets[area]
    mix = np.array([TYPE_MIX_PROFESSIONAL if c.startswith("2") else
                    TYPE_MIX_TECHNICIAN if c.startswith("3") else TYPE_MIX_SKILLED
                    for c in occ.codes])
    type_index = _sample_rows(rng, mix[occ_slot])
    basic = rng.random(n) < BASIC_SKILLS_SHARE
    type_index[basic] = schema.EDUCATION_TYPES.index("FVU/OBU")
    n_occ = len(occ.codes)
    occ_slot[basic] = n_occ  # no occupation

    # template: title, AMU number and (for AMU) its fixed length
    n_types = len(schema.EDUCATION_TYPES)
    template = _pick_uniform(rng, occ_slot * n_types + type_index, templates.offsets)
    days = templates.days[template]
    for t, choices in DAYS_BY_TYPE.items():
        mask = type_index == schema.EDUCATION_TYPES.index(t)
        days[mask] = np.array(choices, dtype=np.float64)[rng.integers(0, len(choices), mask.sum())]

    # provider by area and kind of course; the course is held at the provider or out in the area
    kind_names = np.array([KIND_BY_GROUP[g] for g in occ.groups] + ["vuc"])
    course_kind = kind_names[occ_slot]
    course_kind = np.where(type_index == schema.EDUCATION_TYPES.index("Akademi"), "akademi", course_kind)
    course_kind = np.where(type_index == schema.EDUCATION_TYPES.index("Diplom"), "uc", course_kind)
    kind_index = np.array([PROVIDER_KINDS.index(k) for k in course_kind]) if n else np.zeros(0, int)
    provider_lists: list[list[int]] = []
    for code in geo.rar_codes:
        for kind in PROVIDER_KINDS:
            found: list[int] = []
            for candidate in (kind, *KIND_FALLBACKS[kind]):
                found = [i for i, p in enumerate(PROVIDERS) if p[0] == code and candidate in p[3].split()]
                if found:
                    break
            if not found:
                raise RuntimeError(f"no provider for {kind} courses in RAR area {code}")
            provider_lists.append(found)
    provider_offsets = np.concatenate([[0], np.cumsum([len(x) for x in provider_lists])])
    provider_flat = np.concatenate([np.array(x) for x in provider_lists])
    provider = provider_flat[_pick_uniform(rng, area * len(PROVIDER_KINDS) + kind_index,
                                           provider_offsets)]
    provider_muni = np.array([p[2] for p in PROVIDERS])[provider]
    code_to_index = {int(c): i for i, c in enumerate(geo.codes)}
    provider_loc = np.array([code_to_index[int(c)] for c in provider_muni]) if n else np.zeros(0, int)
    outreach = _outreach_weights(geo)
    o_offsets, o_cumulative = _grouped_cumulative([w for _, w in outreach])
    o_munis = np.concatenate([m for m, _ in outreach])
    area_loc = o_munis[_sample_grouped(rng, provider, o_offsets, o_cumulative)]
    location = np.where(rng.random(n) < PROVIDER_LOCATION_SHARE, provider_loc, area_loc)

    # dates: a weekday in the month; full-time types run on working days, others over weeks
    month_starts = np.array(months, dtype="datetime64[D]")[sk["month"]]
    start = _weekday_start(month_starts, rng)
    part_time = np.isin(type_index, [schema.EDUCATION_TYPES.index(t) for t in PART_TIME_TYPES])
    workdays = np.maximum(np.ceil(days).astype(np.int64) - 1, 0)
    full_end = np.busday_offset(start, workdays, roll="forward")
    weeks = rng.choice(np.array([8, 10, 12, 14]), size=n)
    end = np.where(part_time, start + (weeks * 7 - 3).astype("timedelta64[D]"), full_end)

    funding = _sample_rows(rng, _funding_probs(type_index, start))

    # Job-VEU: a growing share, allotted per RAR area and year so every area follows the trend
    year = start.astype("datetime64[Y]").astype(np.int64) + 1970
    share = np.array([JOB_VEU_SHARE.get(int(y), JOB_VEU_SHARE_LATER) for y in range(2018, until.year + 1)])
    job_veu = rng.random(n) < share[year - 2018]  # cancelled courses: plain random
    running = np.flatnonzero(~sk["cancelled"])
    if running.size:
        key = area[running] * 100 + (year[running] - 2018)
        by_key = np.lexsort((rng.random(running.size), key))
        groups, inverse, counts = np.unique(key[by_key], return_inverse=True, return_counts=True)
        rank = np.arange(running.size) - (np.cumsum(counts) - counts)[inverse]
        quota = np.floor(share[groups % 100] * counts + 0.5)[inverse]
        job_veu[running[by_key]] = rank < quota

    # order the courses by start date and number them
    order = np.lexsort((rng.random(n), start))
    start, end, days, area, occ_slot, type_index, template, location, funding, job_veu, provider = (
        a[order] for a in (start, end, days, area, occ_slot, type_index, template, location,
                           funding, job_veu, provider))
    seats, cancelled, participants = (sk[k][order] for k in ("seats", "cancelled", "participants"))

    has_occ = occ_slot < n_occ
    occ_codes = pl.Series("occupation_code", [*occ.codes, None], dtype=pl.String)
    group_codes = np.append(occ.group_index, 0)[occ_slot]
    focus_by_group = np.array([schema.FOCUS_AREAS.index(FOCUS_AREA_BY_GROUP[g]) for g in INDUSTRY_GROUPS])
    frame = pl.DataFrame([
        pl.Series("course_id", [f"K{i:08d}" for i in range(1, n + 1)], dtype=pl.String),
        templates.titles.gather(template),
        _enum(type_index, schema.EDUCATION_TYPE_ENUM, "education_type"),
        templates.amu_numbers.gather(template),
        pl.Series("provider", [p[1] for p in PROVIDERS]).gather(provider),
        pl.Series("provider_municipality_code", geo.codes[location]),
        pl.Series("start_date", start),
        pl.Series("end_date", end),
        pl.Series("course_days", days),
        occ_codes.gather(occ_slot),
        _enum(group_codes, INDUSTRY_GROUP_ENUM, "industry_group")
        .set(pl.Series(~has_occ), None),
        _enum(funding, schema.FUNDING_ENUM, "funding"),
        pl.Series("job_veu", job_veu),
        _enum(focus_by_group[group_codes], schema.FOCUS_AREA_ENUM, "focus_area")
        .set(pl.Series(~has_occ), None),
        occ.themes.gather(occ_slot).alias("themes"),
        pl.Series("seats", seats),
        pl.Series("cancelled", cancelled),
    ])
    frame = schema.conform("courses", frame)

    # shortage: the occupation's balance status in the provider's area and the start half-year
    lookups = municipalities().select(
        "municipality_code", pl.col("rar_code").cast(pl.String).alias("rar"),
        pl.col("council_code").cast(pl.String).alias("council"))
    reform = np.datetime64(reform_date)
    status = (
        frame.select(
            pl.col("provider_municipality_code").alias("municipality_code"), "occupation_code",
            (pl.col("start_date").dt.year().cast(pl.String) + "H"
             + pl.when(pl.col("start_date").dt.month() <= 6).then(pl.lit("1")).otherwise(pl.lit("2")))
            .alias("half_year"),
            pl.Series("area_scheme", np.where(start >= reform, "council", "rar")),
        )
        .with_row_index("row")
        .join(lookups, on="municipality_code", how="left")
        .with_columns(pl.when(pl.col("area_scheme") == "council").then("council").otherwise("rar")
                      .alias("area_code"))
        .join(balance.with_columns(pl.col("area_scheme").cast(pl.String)),
              on=["half_year", "area_scheme", "area_code", "occupation_code"], how="left")
        .sort("row")
    )
    shortage = status["status"].cast(pl.String).is_in(list(schema.SHORTAGE_STATUSES)).fill_null(False)

    covers_to_np = np.datetime64(covers_to)
    ends = pl.Series(end)
    known = pl.DataFrame({"end": ends}).select(
        (pl.col("end").dt.offset_by("3mo") <= covers_to).alias("k3"),
        (pl.col("end").dt.offset_by("6mo") <= covers_to).alias("k6"),
    )
    end_month = end.astype("datetime64[M]")
    return _Courses(
        frame=frame, participants=participants, location_index=location, rar=area,
        occ_slot=occ_slot, type_index=type_index, funding=funding, end=end,
        shortage=shortage.to_numpy(), known_3m=known["k3"].to_numpy(), known_6m=known["k6"].to_numpy(),
        ended=np.asarray(end <= covers_to_np),
        covid_end=(end_month >= np.datetime64("2020-03")) & (end_month <= np.datetime64("2020-09")),
    )


# --------------------------------------------------------------------------------------------
# Enrolments (chunked)
# --------------------------------------------------------------------------------------------


def _age_profile(types: np.ndarray, funding: np.ndarray) -> np.ndarray:
    et = schema.EDUCATION_TYPES
    profile = np.zeros(types.shape[0], dtype=np.int64)
    profile[types == et.index("EUV")] = 1
    profile[np.isin(types, [et.index("Akademi"), et.index("Diplom")])] = 3
    profile[funding == schema.FUNDING_SCHEMES.index("Uddannelsesløft")] = 2
    return profile


def _education_profile(types: np.ndarray, vocational: np.ndarray) -> np.ndarray:
    # EDUCATION_PROFILES rows: AMU (vocational), AMU (unskilled), then the other types in order
    profile = np.where(types == 0, np.where(vocational, 0, 1), types + 1)
    return profile.astype(np.int64)


def build_enrolment_chunk(seed: int, chunk: int, courses: _Courses, first: int, stop: int,
                          first_enrolment_id: int, first_person: int,
                          uptake: generate_conditions.UptakeRule | None = None,
                          ) -> tuple[pl.DataFrame, int]:
    """Enrolments of courses ``first:stop`` (course order); returns the frame and persons used."""
    rng = _rng(seed, 4, chunk)
    geo = _geography()
    occ = _occupations()
    counts = courses.participants[first:stop]
    course = np.repeat(np.arange(first, stop), counts)
    n = course.shape[0]
    if n == 0:
        return schema.empty_frame("enrolments"), 0

    # residence: the course's municipality, elsewhere in its RAR area, or anywhere (commuters)
    location = courses.location_index[course]
    area = courses.rar[course]
    area_munis = [np.flatnonzero(geo.rar == a) for a in range(len(geo.rar_codes))]
    offsets, cumulative = _grouped_cumulative([geo.activity[m] for m in area_munis])
    in_area = np.concatenate(area_munis)[_sample_grouped(rng, area, offsets, cumulative)]
    anywhere = np.searchsorted(np.cumsum(geo.activity) / geo.activity.sum(), rng.random(n),
                               side="right").clip(0, len(geo.codes) - 1)
    u = rng.random(n)
    residence = np.where(u < 0.30, location, np.where(u < 0.92, in_area, anywhere))

    # labour status by the course's funding; person traits by occupation and type
    funding = courses.funding[course]
    status = _sample_rows(rng, np.array(STATUS_BY_FUNDING)[funding])
    if uptake is not None:  # unemployed participants live where the conditions rule says
        start_year = courses.frame["start_date"].dt.year().to_numpy()[course]
        residence = uptake.residence(rng, residence, status < 2, area, geo.rar, start_year)
    occ_slot = courses.occ_slot[course]
    female = rng.random(n) < occ.female_share[occ_slot]
    gender = np.where(female, schema.GENDERS.index("Kvinde"), schema.GENDERS.index("Mand"))
    types = courses.type_index[course]
    age = _sample_rows(rng, np.array(AGE_PROFILES)[_age_profile(types, funding)])
    vocational = np.append(occ.vocational, False)[occ_slot]
    education = _sample_rows(rng, np.array(EDUCATION_PROFILES)[_education_profile(types, vocational)])

    # outcomes: completion when the course has ended; employment only for the unemployed
    unemployed = status < 2
    p_complete = np.array([COMPLETION_BY_TYPE[t] for t in schema.EDUCATION_TYPES])[types]
    completed = rng.random(n) < p_complete - 0.04 * unemployed
    p_employed = (0.42 + 0.18 * courses.shortage[course] + 0.06 * completed
                  + np.select([age == 0, age == 5], [0.03, -0.15], 0.0)
                  + 0.05 * (education == 1) - 0.12 * courses.covid_end[course])
    employed_3m = rng.random(n) < p_employed
    employed_6m = np.where(employed_3m, rng.random(n) < 0.88, rng.random(n) < 0.25)

    # people recur: within groups of alike people (home, gender, age, education) a run of
    # consecutive courses belongs to one person; a run never revisits a course
    group = ((residence * 2 + gender) * 6 + age) * 4 + education
    order = np.lexsort((np.arange(n), group))
    g_sorted = group[order]
    c_sorted = course[order]
    same_group = np.concatenate([[False], g_sorted[1:] == g_sorted[:-1]])
    new_course = np.concatenate([[True], c_sorted[1:] != c_sorted[:-1]])
    continues = same_group & new_course & (rng.random(n) < REPEAT_PROBABILITY)
    run = np.cumsum(~continues) - 1
    person_index = np.empty(n, dtype=np.int64)
    person_index[order] = run
    persons = int(run[-1]) + 1
    # a bijection on 32-bit numbers makes ids look pseudonymous while staying unique
    person_id = ((first_person + person_index) * 2654435761 + 97) % (1 << 32) + 1

    ended = courses.ended[course]
    frame = pl.DataFrame([
        pl.Series("enrolment_id", np.arange(first_enrolment_id, first_enrolment_id + n)),
        courses.frame["course_id"].gather(course),
        pl.Series("person_id", person_id),
        pl.Series("municipality_code", geo.codes[residence]),
        _enum(status, schema.LABOUR_STATUS_ENUM, "labour_status"),
        _enum(gender, schema.GENDER_ENUM, "gender"),
        _enum(age, schema.AGE_BAND_ENUM, "age_band"),
        _enum(education, schema.EDUCATION_LEVEL_ENUM, "education_level"),
        pl.Series("completed", completed).set(pl.Series(~ended), None),
        pl.Series("employed_3m", employed_3m)
        .set(pl.Series(~(unemployed & courses.known_3m[course])), None),
        pl.Series("employed_6m", employed_6m)
        .set(pl.Series(~(unemployed & courses.known_6m[course])), None),
    ])
    return schema.conform("enrolments", frame), persons


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


def compute_course_actuals(courses: pl.DataFrame, participants: pl.Series | np.ndarray,
                           scheme: AreaScheme) -> pl.DataFrame:
    """Yearly actuals per area of ``scheme`` and focus area (null row = the area as a whole).

    ``participants`` is the number of enrolments per course row. Cancelled courses do not count.
    """
    from veu_metrics.geography import area_lookup

    base = (
        courses.with_columns(pl.Series("participants", participants))
        .filter(~pl.col("cancelled"))
        .join(area_lookup(scheme).rename({"municipality_code": "provider_municipality_code"}),
              on="provider_municipality_code", how="left")
        .with_columns(pl.col("start_date").dt.year().alias("year"))
    )
    whole = base.group_by("year", "area_code").agg(
        pl.col("participants").sum().cast(pl.Float64).alias("participations"),
        pl.len().cast(pl.Float64).alias("courses_started"),
        pl.col("job_veu").sum().cast(pl.Float64).alias("job_veu_courses"),
        ((pl.col("participants") * pl.col("course_days")).sum() / 200).alias("aarselever"),
    ).unpivot(index=["year", "area_code"], variable_name="measure", value_name="actual")
    by_focus = (
        base.filter(pl.col("focus_area").is_not_null())
        .group_by("year", "area_code", "focus_area")
        .agg(pl.col("participants").sum().cast(pl.Float64).alias("actual"))
        .with_columns(pl.lit("participations").alias("measure"))
    )
    return pl.concat([whole.with_columns(pl.lit(None, dtype=schema.FOCUS_AREA_ENUM).alias("focus_area")),
                      by_focus], how="diagonal_relaxed").select(
        "year", "area_code", "measure", "focus_area", "actual")


def build_targets(seed: int, courses: pl.DataFrame, participants: np.ndarray, until: date,
                  reform_date: date) -> pl.DataFrame:
    """Each area's yearly goals: previous year's actual × U(0.95, 1.25) (some met, some behind)."""
    rng = _rng(seed, 5)
    rows = []
    schemes: tuple[AreaScheme, ...] = ("rar", "council")
    actuals = {s: compute_course_actuals(courses, participants, s) for s in schemes}
    for year in range(2019, until.year + 1):
        scheme = scheme_for(date(year, 1, 1), reform_date)
        previous = actuals[scheme].filter(pl.col("year") == year - 1)
        codes = [c for c, *_ in (RAR_AREAS if scheme == "rar" else COUNCIL_AREAS)]
        history = actuals[scheme].filter(pl.col("focus_area").is_not_null())
        for code in codes:
            # the council's focus areas: its biggest three, sometimes plus green transition
            mine = (history.filter(pl.col("area_code") == code)
                    .group_by("focus_area").agg(pl.col("actual").sum())
                    .sort(["actual", "focus_area"], descending=[True, False]))
            focus = [str(f) for f in mine["focus_area"].head(3).to_list()]
            if "Grøn omstilling" not in focus and (rng.random() < 0.5 or len(focus) < 3):
                focus.append("Grøn omstilling")
            wanted = [(m, None) for m in TARGET_MEASURES] + [("participations", f) for f in focus]
            for measure, focus_area in wanted:
                match = previous.filter(
                    (pl.col("area_code") == code) & (pl.col("measure") == measure)
                    & (pl.col("focus_area").is_null() if focus_area is None
                       else pl.col("focus_area").cast(pl.String) == focus_area))
                actual = float(match["actual"].sum()) if match.height else 0.0
                target = actual * rng.uniform(0.95, 1.25)
                target = round(target, 1) if measure == "aarselever" else float(round(target))
                rows.append((year, scheme, code, measure, focus_area, max(target, 1.0)))
    frame = pl.DataFrame(rows, schema=["year", "area_scheme", "area_code", "measure", "focus_area",
                                       "target"], orient="row")
    return schema.conform("targets", frame)


# --------------------------------------------------------------------------------------------
# The whole dataset
# --------------------------------------------------------------------------------------------


def _prepare_output(out: Path) -> Path:
    """A fresh temporary sibling folder; refuse to replace anything that is not a dataset."""
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise GenerateError(f"{out} exists and is not a directory; choose another --out")
        contents = list(out.iterdir())
        if contents and not (out / "metadata.json").is_file():
            raise GenerateError(
                f"{out} is not empty and holds no dataset; refusing to overwrite it. "
                "Choose an empty or new directory.")
        if (out / "CURRENT").is_file():
            raise GenerateError(f"{out} is a versioned dataset; generate the demo elsewhere")
    out.parent.mkdir(parents=True, exist_ok=True)
    # unique per process and thread: two app sessions may generate the demo at the same time
    staging = out.parent / f".{out.name}.generating-{os.getpid()}-{threading.get_ident()}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "enrolments").mkdir(parents=True)
    return staging


def _publish(staging: Path, out: Path) -> None:
    """Move the finished dataset into place, replacing an older dataset at ``out``."""
    if out.exists():
        shutil.rmtree(out, ignore_errors=True)
    try:
        staging.rename(out)
    except OSError:
        if not (out / "metadata.json").is_file():
            raise
        shutil.rmtree(staging)  # another process published a dataset at the same moment


def generate_dataset(
    out: Path | str,
    *,
    enrolments: int = DEFAULT_DEMO_ENROLMENTS,
    seed: int = 2018,
    until: date | None = None,
    progress: Progress = None,
    reform_date: date | None = None,
    chunk_enrolments: int = DEFAULT_CHUNK_ENROLMENTS,
) -> Path:
    """Write a synthetic dataset to ``out`` and return its path.

    ``until``: last month covered (any day in it; default the last complete month).
    ``progress``: None, "bar" (text bar on stderr) or a callable(fraction 0..1, message).
    Courses ≈ enrolments / 9. Enrolments are written as parts of about ``chunk_enrolments`` rows.
    An existing dataset at ``out`` is replaced only when generation has succeeded.
    """
    if not isinstance(enrolments, int) or enrolments < 1:
        raise GenerateError(f"enrolments={enrolments!r}: expected a whole number of at least 1")
    if chunk_enrolments < 1:
        raise GenerateError("chunk_enrolments must be at least 1")
    report = _Reporter(progress)
    until = parse_until(None) if until is None else parse_until(until.isoformat())
    reform_date = reform_date or Settings().reform_date
    out = Path(out)
    staging = _prepare_output(out)
    try:
        report(0.0, "Arbejdsmarkedsbalance og ledighed")
        balance = build_balance(seed, until, reform_date)
        balance.write_parquet(staging / "balance.parquet")
        demo_occupations().write_parquet(staging / OCCUPATIONS_FILE)
        unemployment = build_unemployment(seed, until)
        unemployment.write_parquet(staging / "unemployment.parquet")
        conditions = generate_conditions.build_conditions(seed, until, load_population())
        conditions.write_parquet(staging / "conditions.parquet")
        report(0.05, "Kurser")
        courses = build_courses(seed, enrolments, until, reform_date, balance)
        courses.frame.write_parquet(staging / "courses.parquet")
        start_years = courses.frame["start_date"].dt.year().to_numpy()
        supply = generate_conditions.expected_supply(
            courses.participants * np.array(STATUS_BY_FUNDING)[courses.funding][:, :2].sum(axis=1),
            courses.rar, start_years, FIRST_MONTH.year, until.year - FIRST_MONTH.year + 1,
            len(RAR_AREAS))
        uptake = generate_conditions.build_uptake_rule(seed, conditions, unemployment, supply,
                                                       _geography().rar)
        report(0.15, "Mål")
        build_targets(seed, courses.frame, courses.participants, until, reform_date).write_parquet(
            staging / "targets.parquet")

        # chunks of whole courses, about chunk_enrolments each
        before = np.cumsum(courses.participants) - courses.participants
        chunk_of = before // chunk_enrolments
        bounds = np.searchsorted(chunk_of, np.arange(int(chunk_of[-1]) + 2)) if len(before) else [0, 0]
        n_chunks = len(bounds) - 1
        next_id, next_person = 1, 0
        for k in range(n_chunks):
            report(0.15 + 0.83 * k / n_chunks, f"Deltagelser, del {k + 1} af {n_chunks}")
            frame, persons = build_enrolment_chunk(seed, k, courses, int(bounds[k]), int(bounds[k + 1]),
                                                   next_id, next_person, uptake)
            frame.write_parquet(staging / "enrolments" / f"part-{k:05d}.parquet")
            next_id += frame.height
            next_person += persons
            del frame

        write_metadata(staging, _metadata(seed, until))
        _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report(1.0, "Færdig")
    return out


def _metadata(seed: int, until: date) -> dict[str, Any]:
    covers_to = month_end(until)
    # derived from `until`, not the clock, so the same arguments give byte-identical files
    created = add_months(until, 1).replace(day=5)
    return {
        "name": DATASET_NAME,
        "source": DATASET_SOURCE,
        "covers_from": FIRST_MONTH.isoformat(),
        "covers_to": covers_to.isoformat(),
        "created_at": f"{created.isoformat()}T06:00:00",
        "next_update": add_months(created, 1).replace(day=5).isoformat(),
        "version": f"demo-seed{seed}",
        "synthetic": True,
    }
