"""Derive data/reference/comparators.csv and data/reference/sources.csv from the raw file.

Usage (from the project root):

    python scripts/clean_comparators.py [RAW_CSV] [--out-dir DIR]

RAW_CSV defaults to ../shared/sources/comparators.csv relative to the project root; the
outputs go to data/reference/ unless --out-dir is given. Standard library only.

Rules (see data/reference/README.md):

* Every value, label, date, URL and raw note is read from the raw file. This script only
  adds the per-row mapping decisions (indicator id, kind, unit id, geo code) and the
  metadata about each source (publisher, reliability), which are judgements, not figures.
* Chinese labels take full-width brackets, commas, colons and semicolons (GB/T 15834); their
  words are as written.
* `value` stays as written; `value_monthly_yuan` is derived (value/12 for
  yuan_per_person_year, the value itself for yuan_per_person_month).
* `comparator_id` is `c` + the 1-based number of the data row in the raw file, so every
  output row points back to its raw row. Raw row 22 (a document number, not a figure) is
  moved to sources.csv, so c022 does not exist.
* The mapping is keyed by raw row number and checked against the raw `indicator_zh`, so a
  reordered or edited raw file fails loudly instead of being silently mislabelled.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW = ROOT.parent / "shared" / "sources" / "comparators.csv"
DEFAULT_OUT = ROOT / "data" / "reference"

RAW_COLUMNS = [
    "period", "as_of", "geo", "indicator_zh", "indicator_en",
    "value", "unit", "source_url", "notes",
]
COMPARATOR_COLUMNS = [
    "comparator_id", "period", "as_of", "geo", "geo_label_zh", "indicator", "label_zh",
    "label_en", "value", "unit_mult", "unit", "qualifier", "value_monthly_yuan",
    "basis", "coverage", "source_id", "note",
]
# basis: what kind of figure a comparator is, so that only like is compared with like
BASIS = ("standard", "average", "floor")
SOURCE_COLUMNS = [
    "source_id", "url", "publisher", "published", "document", "reliability",
    "reliability_note",
]
RELIABILITY = ("official_notice", "news_report", "repost_or_mirror")

# --- geography: Chinese name at the start of the raw `geo` cell -> GB/T 2260 code ----------
GEO_CODES = {
    "六安市": "341500", "安徽省": "340000", "全国": "100000", "蚌埠市": "340300",
    "淮南市": "340400", "宿州市": "341300", "合肥市": "340100", "滁州市": "341100",
    "阜阳市": "341200", "宁国市": "341881",
}
# Raw geo cells that cover only part of a city, or need saying what they are.
GEO_LABELS = {
    "淮南市": "淮南市(各区及凤台县,不含寿县)",
}
GEO_NOTES = {
    "合肥市(市区)": "partial geography: Hefei urban districts only (code of the whole city kept)",
    "合肥市(各县市)": "partial geography: Hefei's counties and county-level city only "
    "(code of the whole city kept)",
    "淮南市": "partial geography: Huainan districts + Fengtai county; Shou county has its own "
    "standard (code of the whole city kept)",
    "宁国市(宣城)": "Ningguo is a county-level city under Xuancheng; the standard is set "
    "by the Xuancheng document cited in the source note",
}

# --- units: raw unit -> (unit id, unit_mult, note) ------------------------------------------
UNITS = {
    "元/人·月": ("yuan_per_person_month", 0, ""),
    "元/人·年": ("yuan_per_person_year", 0, ""),
    "元/户月人均": (
        "yuan_per_person_month", 0,
        "unit written 元/户月人均 (per household member per month): a per-person monthly "
        "standard",
    ),
    "万人": ("person", 4, ""),
    "万人次": ("person_time", 4, ""),
    "万户": ("household", 4, ""),
    "个": ("item", 0, ""),
    "万个": ("item", 4, ""),
    "万家": ("organization", 4, ""),
    "万张": ("bed", 4, ""),
    "万具": ("body", 4, ""),
    "万对": ("couple", 4, ""),
    "亿元": ("yuan", 8, ""),
    "万元": ("yuan", 4, ""),
    "%": ("percent", 0, ""),
    "‰": ("per_mille", 0, ""),
    "倍": ("ratio", 0, ""),
    # 张 alone is only used for per-1000 bed rates; the row mapping gives the unit id.
    "张": (None, 0, ""),
}

# --- per-row mapping: raw row number -> (raw indicator_zh, indicator id, kind) -------------
# kind drives as_of: standard / stock / rule / cumulative keep the raw date; flow becomes the
# span from 1 January to the raw date (or the whole year when the raw as_of is a year).
ROWS = {
    1: ("城市低保标准", "dibao_urban_standard", "standard"),
    2: ("农村低保标准", "dibao_rural_standard", "standard"),
    3: ("农村五保分散供养财政补助标准", "tekun_rural_dispersed_fiscal_subsidy", "standard"),
    4: ("农村五保集中供养财政补助标准", "tekun_rural_institutional_fiscal_subsidy", "standard"),
    5: ("农村五保照料护理标准", "tekun_rural_care_standard", "standard"),
    6: ("脱贫人口", "poverty_exit_population_cumulative", "cumulative"),
    7: ("出列贫困村", "poverty_villages_exited_cumulative", "cumulative"),
    8: ("地区生产总值", "gdp", "flow"),
    9: ("省财政下达困难群众救助资金", "assistance_funds_provincial_allocated", "flow"),
    10: ("城乡低保标准(两项,原文顺序“城乡”)", "dibao_standard_pair_unlabelled", "standard"),
    11: ("低保对象", "dibao_recipients", "stock"),
    12: ("特困供养人员", "tekun_persons", "stock"),
    13: ("特困人员基本生活标准", "tekun_basic_standard", "standard"),
    14: ("社会散居孤儿基本生活费标准", "orphan_allowance_community", "standard"),
    15: ("集中供养孤儿基本生活费标准", "orphan_allowance_institutional", "standard"),
    16: ("价格临时补贴资金", "price_subsidy_funds_allocated", "cumulative"),
    17: ("临时救助人次", "temporary_assistance_cases", "flow"),
    18: ("临时救助支出", "temporary_assistance_spending", "flow"),
    19: ("农村低保平均标准", "dibao_rural_standard", "standard"),
    20: ("特困人员供养标准与低保标准倍数(下限)", "tekun_basic_standard_to_dibao_ratio_floor",
         "rule"),
    21: ("特困人员基本生活标准与低保标准倍数(下限)", "tekun_basic_standard_to_dibao_ratio_floor",
         "rule"),
    22: ("特困供养制度省级文件", None, "document"),
    23: ("民生支出占财政支出比重", "livelihood_spending_share", "flow"),
    24: ("33项民生工程投入", "livelihood_projects_investment", "flow"),
    25: ("低保对象、特困人员、困境儿童(合计)", "dibao_tekun_children_supported", "stock"),
    26: ("城乡居民最低生活保障标准", "dibao_standard", "standard"),
    27: ("农村特困人员基本生活标准", "tekun_rural_basic_standard", "standard"),
    28: ("农村特困人员财政补助标准", "tekun_rural_fiscal_subsidy", "standard"),
    29: ("城市特困人员基本生活财政补助标准", "tekun_urban_fiscal_subsidy", "standard"),
    30: ("特困人员照料护理标准(部分丧失自理能力)", "tekun_care_standard_partly_dependent",
         "standard"),
    31: ("农村特困人员照料护理标准(完全丧失自理能力)", "tekun_rural_care_standard_fully_dependent",
         "standard"),
    32: ("城市特困人员照料护理标准(完全丧失自理能力)", "tekun_urban_care_standard_fully_dependent",
         "standard"),
    33: ("最低生活保障标准", "dibao_standard", "standard"),
    34: ("城市特困人员财政补助标准", "tekun_urban_fiscal_subsidy", "standard"),
    35: ("农村特困人员基本生活标准", "tekun_rural_basic_standard", "standard"),
    36: ("分散供养特困人员财政补助标准", "tekun_dispersed_fiscal_subsidy", "standard"),
    37: ("集中供养特困人员财政补助标准", "tekun_institutional_fiscal_subsidy", "standard"),
    38: ("城市特困人员供养基本生活财政补助标准", "tekun_urban_fiscal_subsidy", "standard"),
    39: ("农村分散供养特困人员基本生活财政补助标准", "tekun_rural_dispersed_fiscal_subsidy",
         "standard"),
    40: ("农村集中供养特困人员基本生活财政标准", "tekun_rural_institutional_fiscal_subsidy",
         "standard"),
    41: ("城乡最低生活保障标准", "dibao_standard", "standard"),
    42: ("农村特困供养基本生活标准", "tekun_rural_basic_standard", "standard"),
    43: ("农村特困财政补贴标准", "tekun_rural_fiscal_subsidy", "standard"),
    44: ("城市特困人员基本生活保障标准", "tekun_urban_standard", "standard"),
    45: ("城乡居民最低生活保障标准", "dibao_standard", "standard"),
    46: ("城乡居民最低生活保障标准", "dibao_standard", "standard"),
    47: ("城市低保标准", "dibao_urban_standard", "standard"),
    48: ("农村低保标准", "dibao_rural_standard", "standard"),
    49: ("城市特困人员基本生活标准(不低于)", "tekun_urban_standard", "standard"),
    50: ("农村特困人员基本生活标准(不低于)", "tekun_rural_basic_standard", "standard"),
    51: ("城市低保平均标准", "dibao_urban_standard", "standard"),
    52: ("农村低保平均标准", "dibao_rural_standard", "standard"),
    53: ("城市低保户数", "dibao_urban_households", "stock"),
    54: ("城市低保对象", "dibao_urban_recipients", "stock"),
    55: ("城市低保平均保障标准", "dibao_urban_standard", "standard"),
    56: ("城市低保资金支出", "dibao_urban_spending", "flow"),
    57: ("农村低保户数", "dibao_rural_households", "stock"),
    58: ("农村低保对象", "dibao_rural_recipients", "stock"),
    59: ("农村低保平均保障标准", "dibao_rural_standard", "standard"),
    60: ("农村低保资金支出", "dibao_rural_spending", "flow"),
    61: ("农村特困人员", "tekun_rural_persons", "stock"),
    62: ("农村特困人员救助供养资金", "tekun_rural_spending", "flow"),
    63: ("城市特困人员", "tekun_urban_persons", "stock"),
    64: ("城市特困人员救助供养资金", "tekun_urban_spending", "flow"),
    65: ("临时救助", "temporary_assistance_cases", "flow"),
    66: ("民政部门登记和管理的机构和设施", "civil_affairs_institutions_facilities", "stock"),
    67: ("民政服务机构和设施床位", "civil_affairs_service_beds", "stock"),
    68: ("每千人口民政服务床位数", "civil_affairs_beds_per_thousand_population", "stock"),
    69: ("民政事业费支出", "civil_affairs_expenditure", "flow"),
    70: ("中央财政转移支付民政事业费", "civil_affairs_central_transfers", "flow"),
    71: ("殡葬服务机构", "funeral_service_institutions", "stock"),
    72: ("殡仪馆", "funeral_homes", "stock"),
    73: ("民政部门管理的公墓", "cemeteries_civil_affairs", "stock"),
    74: ("火化遗体", "cremations", "flow"),
    75: ("各类养老机构和设施", "elderly_care_institutions_facilities", "stock"),
    76: ("养老床位合计", "elderly_care_beds_total", "stock"),
    77: ("每千名老年人拥有养老床位", "elderly_care_beds_per_thousand_older_persons", "stock"),
    78: ("享受老年人补贴人数", "old_age_allowance_recipients", "stock"),
    79: ("享受高龄补贴人数", "advanced_age_allowance_recipients", "stock"),
    80: ("老年人福利经费支出", "elderly_welfare_spending", "flow"),
    81: ("养老机构", "elderly_care_institutions", "stock"),
    82: ("各类机构和社区养老床位", "elderly_care_beds_institutional_community", "stock"),
    83: ("结婚登记", "marriage_registrations", "flow"),
    84: ("离婚", "divorces_total", "flow"),
    85: ("离婚率", "crude_divorce_rate", "flow"),
    86: ("社会组织登记数", "social_organizations_registered", "stock"),
    87: ("城市低保对象", "dibao_urban_recipients", "stock"),
    88: ("农村低保对象", "dibao_rural_recipients", "stock"),
    89: ("特困人员", "tekun_persons", "stock"),
    90: ("临时救助", "temporary_assistance_cases", "flow"),
    91: ("城乡低保对象", "dibao_recipients", "stock"),
    92: ("城市低保平均标准", "dibao_urban_standard", "standard"),
    93: ("农村低保平均标准", "dibao_rural_standard", "standard"),
    94: ("特困人员", "tekun_persons", "stock"),
    95: ("城乡低保对象", "dibao_recipients", "stock"),
    96: ("特困人员", "tekun_persons", "stock"),
    97: ("救助生活无着流浪乞讨人员", "homeless_persons_assisted", "flow"),
    98: ("养老机构和设施床位", "elderly_care_beds_institutions_facilities", "stock"),
    99: ("结婚登记", "marriage_registrations", "flow"),
    100: ("离婚登记", "divorce_registrations", "flow"),
}

# Unit ids the raw unit alone cannot give.
UNIT_OVERRIDES = {
    68: "bed_per_thousand_population",
    77: "bed_per_thousand_older_persons",
}

FISCAL = "fiscal subsidy standard (财政补助标准): a different concept from the basic living " \
    "standard (基本生活标准); do not compare with Lu'an's tekun standards"
AVERAGE = "average of the local standards in this area, not one area's standard"
RULE = "policy rule, not a measured figure: tekun basic living standard >= 1.3 x local " \
    "dibao standard"

# Decisions and caveats attached to single rows (the raw note is appended after these).
ROW_NOTES = {
    3: "农村五保 (rural five-guarantee) is the earlier name of rural 特困 support; " + FISCAL,
    4: "农村五保 (rural five-guarantee) is the earlier name of rural 特困 support; " + FISCAL,
    5: "农村五保 care standard; dependency level not stated",
    10: "DOUBTFUL, value left empty: the source gives the pair {value} {unit} in the order "
        "城乡 without saying which figure is urban and which rural, so it cannot be split; "
        "kept as one row",
    13: "the source does not say urban or rural, nor whether this is a provincial floor or "
        "average: not directly comparable with a city's urban or rural tekun standard",
    16: "funds allocated up to the date; the start of the span is not given",
    19: AVERAGE,
    20: RULE,
    21: RULE,
    25: "the source does not say whether this is a year-end count or persons covered "
        "during 2020; raw as_of kept",
    26: "unified urban-rural standard",
    28: FISCAL,
    29: FISCAL + "; Bengbu's urban tekun basic living standard is not in the raw file",
    30: "care standard, urban = rural",
    33: "one standard for urban and rural (source wording 最低生活保障标准)",
    34: FISCAL + "; Huainan's urban tekun basic living standard is not in the raw file",
    36: FISCAL + "; the source does not say rural or urban",
    37: FISCAL + "; the source does not say rural or urban",
    38: FISCAL,
    39: FISCAL,
    40: "source wording 基本生活财政标准, read as a fiscal subsidy standard like c038/c039; "
        + FISCAL,
    41: "unified urban-rural standard",
    43: FISCAL,
    45: "2019 standard, not 2020 (no 2020 Hefei figure found): an earlier-year benchmark only",
    46: "2019 standard, not 2020 (no 2020 Hefei figure found): an earlier-year benchmark only",
    49: "policy floor (不低于): local standards may be higher; qualifier left empty",
    50: "policy floor (不低于): local standards may be higher; qualifier left empty",
    51: AVERAGE,
    52: AVERAGE,
    55: AVERAGE,
    59: AVERAGE,
    76: "differs from c082 (823.8万, MCA press conference): kept as separate indicators",
    82: "differs from c076 (821.0万, aging bulletin): kept as separate indicators",
    84: "registry + court divorces; c100 is registry only: different indicators",
    85: "unit per mille (‰) as the measure requires; see raw note",
    86: "written >89万: value 89 with qualifier more_than",
    90: "year to date; c087-c089 from the same press conference are end-of-Q3 stocks "
        "(period 2021Q3)",
    92: AVERAGE,
    93: AVERAGE,
    97: "reported at a December 2019 conference, so the span probably ends before "
        "year-end; the exact end is not given",
    98: "reported at a December 2019 conference; reference date not given",
    100: "registry divorces only; c084 includes court divorces: different indicators",
}

CONTEXT_ROWS = {6, 7, 8}  # Lu'an context figures, not civil-affairs comparators

# --- sources: URL -> metadata. Dates come from the raw notes, else from the URL path. ------
SOURCES = {
    "http://wxrb.luaninfo.com/p/a.aspx?id=10933&t=9&time=2017-07-12": (
        "luan_wxrb_2017_standards", "皖西日报 Wanxi Daily", "2017-07-12",
        "report on Lu'an dibao and rural five-guarantee standards effective 2017-07-01",
        "news_report",
        "Lu'an city daily reporting the municipal standards; date from the URL",
    ),
    "https://www.luan.gov.cn/zwzx/ztzl/zxzt/2022nlhzt/wjbg/9882669.html": (
        "luan_gov_2022_work_report", "六安市人民政府 (digest by 皖西日报)", "2022",
        "2022 Lu'an government work report (digest), review of 2018-2021",
        "official_notice",
        "the government's own report on the city government site (两会 topic, 文件报告); "
        "it is a newspaper digest, not the full text; exact date not in the raw file",
    ),
    "http://m.nxhuan.com/p/1509009.html": (
        "xinhua_anhui_2020_06_mirror", "新华社 Xinhua (Hefei), via m.nxhuan.com",
        "2020-06-10", "Xinhua Hefei report on Anhui social assistance, early June 2020",
        "repost_or_mirror",
        "third-party mirror of a Xinhua item; cross-check with the Anhui civil affairs "
        "department or Xinhua before use",
    ),
    "https://hnmdtv.com/video/2020/1125/57437.html": (
        "xinhua_anhui_2020_11_repost", "新华社 Xinhua, via hnmdtv.com", "2020-11-25",
        "Xinhua report of the Anhui provincial press conference of 2020-11-19",
        "repost_or_mirror",
        "repost on an unrelated site; published date taken from the URL path (the press "
        "conference was 2020-11-19)",
    ),
    "http://www.nodetpl.com/2024/0131/485758.shtml": (
        "peoples_daily_2024_01_mirror", "人民日报 People's Daily, via nodetpl.com", "2024-01-31",
        "People's Daily report on the Anhui implementing opinion on tekun support "
        "(皖政〔2023〕94号 per the raw note)",
        "repost_or_mirror",
        "third-party mirror of a People's Daily item",
    ),
    "http://m.bbnews.cn/p/9070.html": (
        "bengbu_2020_notice_bbnews", "蚌埠市 municipal notice, on 蚌埠新闻网 bbnews.cn",
        "2020-04-01", "Bengbu notice raising dibao and tekun standards from January 2020",
        "news_report",
        "municipal notice carried by the city news site (not a government site); notice date "
        "from the raw note",
    ),
    "http://www.ahwang.cn/newsflash/20210128/2190546.html": (
        "anhui_2021_work_report_ahwang", "新安晚报 Xin'an Evening News (安徽网 ahwang.cn)",
        "2021-01-28", "Anhui 2021 government work report, review of 2020",
        "news_report",
        "provincial newspaper's report of the work report; date from the URL path",
    ),
    "http://www.huainan.gov.cn/zwgk/bmdt/1258294107.html": (
        "huainan_2020_standards_gov", "淮南日报 Huainan Daily, on the Huainan government site",
        "2020-07-16", "report on Huainan dibao and tekun standards effective 2020-07-01",
        "news_report",
        "newspaper report carried on the official city government site (部门动态)",
    ),
    "https://siseiken.net/OpennessContent/show/2016104.html": (
        "ningguo_2020_tekun_mirror", "宁国市 township open-information page, via siseiken.net",
        "2020", "Ningguo notice on 2020 tekun fiscal subsidy standards (宣政秘〔2020〕27号)",
        "repost_or_mirror",
        "third-party mirror of a township open-information page; exact date not in the raw file",
    ),
    "https://www.szyq.gov.cn/public/6623549/159719321.html": (
        "suzhou_2021_standards_szyq", "宿州市埇桥区人民政府 (reposting the 宿州市 standards)",
        "2021", "Suzhou (宿州) 2021 dibao and tekun standards",
        "official_notice",
        "city standards published on a district government open-information site; exact "
        "date not in the raw file",
    ),
    "http://hefei.baogaosu.com/xinwen/%E6%9C%AC%E6%9C%88%E8%B5%B7%E5%90%88%E8%82%A5%E5%B8%82"
    "%E5%9F%8E%E4%B9%A1%E4%BD%8E%E4%BF%9D%E5%86%8D%E6%8F%90%E6%A0%87/75956638/": (
        "hefei_daily_2019_07_repost", "合肥日报 Hefei Daily, via baogaosu.com", "2019-07-02",
        "Hefei Daily report: Hefei raises urban-rural dibao standards from July 2019",
        "repost_or_mirror",
        "repost of a Hefei Daily item on an aggregator",
    ),
    "http://www.nodetpl.com/2022/0913/461689.shtml": (
        "chuzhou_2022_notice_mirror", "滁州市 municipal notice, via nodetpl.com", "2022-08-31",
        "Chuzhou notice on dibao and tekun standards effective 2022-07-01",
        "repost_or_mirror",
        "third-party mirror of the Chuzhou Daily site; notice date from the raw note (page "
        "date in the URL 2022-09-13)",
    ),
    "http://m.ahwang.cn/p/2535940.html": (
        "fuyang_2023_standards_ahwang", "颍州晚报 Yingzhou Evening News (安徽网 ahwang.cn)",
        "2023-07-04", "report on Fuyang average dibao standards from July 2023",
        "news_report",
        "city evening paper's report on the provincial news portal",
    ),
    "https://renrendoc.com/paper/240497269.html": (
        "mca_2020_bulletin_renrendoc", "民政部 MCA figures, compiled on renrendoc.com", "",
        "secondary compilation of the MCA 2020 civil affairs statistical bulletin",
        "repost_or_mirror",
        "document-sharing site; cross-check with the bulletin on mca.gov.cn; date not in "
        "the raw file",
    ),
    "http://binzangxx.com/m/view.php?aid=16796": (
        "mca_2020_bulletin_binzangxx", "民政部 MCA bulletin, reposted on binzangxx.com", "",
        "opening sections of the MCA 2020 civil affairs statistical bulletin",
        "repost_or_mirror",
        "repost on a funeral-industry site; cross-check with mca.gov.cn; date not in the raw "
        "file",
    ),
    "https://www.nfa5.com/fangtan/202110/15184178.html": (
        "aging_2020_bulletin_cctv_nfa5", "央视 CCTV report, via nfa5.com", "2021-10-15",
        "CCTV report on the 2020 national aging development bulletin",
        "repost_or_mirror",
        "CCTV item carried on a site that is not CCTV's; host not identified, treated as a "
        "repost",
    ),
    "http://www.gugouso.com/toutiao/2021/0223/137423.html": (
        "mca_scio_2021_02_gugouso", "民政部 MCA at SCIO press conference, via gugouso.com",
        "2021-02-23", "MCA at the State Council Information Office press conference",
        "repost_or_mirror",
        "repost on an aggregator",
    ),
    "http://xyd20i.cn/jj/2021/1122/18843.html": (
        "yearbook_2021_thepaper_xyd20i", "澎湃新闻 The Paper, via xyd20i.cn", "2021-11-22",
        "The Paper report on China Statistical Yearbook 2021 (marriage and divorce)",
        "repost_or_mirror",
        "repost; date from the URL path",
    ),
    "http://www.cpwnews.com/content-18-43092-1.html": (
        "social_orgs_2021_cpt", "公益时报 China Philanthropy Times (cpwnews.com)", "2021-01-22",
        "report on registered social organizations citing chinanpo.gov.cn",
        "news_report",
        "named outlet citing the official registry; that cpwnews.com is the paper's own site "
        "was not verified",
    ),
    "http://www.fhlkaisuo.com/show-1-25178.aspx": (
        "mca_2021q3_chinanews_mirror", "中新网 China News, via fhlkaisuo.com", "",
        "China News report of the MCA press conference for Q3 2021",
        "repost_or_mirror",
        "mirror on an unrelated site; date not in the raw file",
    ),
    "http://49.213.3.36/doc/7_0_106392125_1.html": (
        "scio_2022_06_crntt_mirror", "中评社 CRNTT, via a bare-IP mirror", "2022-06-17",
        "CRNTT report of the SCIO briefing of 2022-06-17",
        "repost_or_mirror",
        "mirror at a bare IP address",
    ),
    "http://caodingtushuguan.com/a/202201/320635.html": (
        "mca_conf_2019_12_repost", "national civil affairs conference, via caodingtushuguan.com",
        "2019-12", "report of the national civil affairs work conference, December 2019",
        "repost_or_mirror",
        "repost on an unrelated site",
    ),
    "http://www.qqstock.cn/content/20/0119/13/12776403_886989425.shtml": (
        "mca_2020q1_presser_qqstock", "民政部 MCA press conference, via qqstock.cn",
        "2020-01-19", "MCA press conference (Q1 2020) on 2019 marriage and divorce registration",
        "repost_or_mirror",
        "repost; date from the URL path",
    ),
}

# Raw row 22 holds a document number, not a figure: it becomes this sources.csv row.
DOCUMENT_ROWS = {
    22: (
        "anhui_wanzheng_2016_102", "安徽省人民政府", "news_report",
        "an official document known here only by its citation in the Bengbu 2020 notice "
        "(bbnews.cn, the URL given); not retrieved from a government site; the raw note says "
        "the 1.3x clause was NOT seen in its stored text, so do not cite it for that rule",
    ),
}

PERIOD_RE = re.compile(r"(\d{4})(?:([HQ])(\d))?")
MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


class CleanError(Exception):
    """A problem with the raw file or the mapping; the message says which row."""


def period_span(pid: str) -> tuple[date, date] | None:
    """First and last day of a project period id, or None if it is not one."""
    m = PERIOD_RE.fullmatch(pid)
    if not m:
        return None
    year = int(m[1])
    if m[2] is None:
        return date(year, 1, 1), date(year, 12, 31)
    parts = {"H": 2, "Q": 4}[m[2]]
    n = int(m[3])
    if not 1 <= n <= parts:
        return None
    first = (n - 1) * (12 // parts) + 1
    last = first + 12 // parts - 1
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)


def as_of_span(as_of: str) -> tuple[date, date]:
    start, _, end = as_of.partition("/")
    return date.fromisoformat(start), date.fromisoformat(end or start)


def derive_as_of(raw: str, kind: str) -> tuple[str, str]:
    """ISO date or interval for the raw as_of, and a note when it was changed."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        if kind == "flow" and not raw.endswith("-01-01"):
            return f"{raw[:4]}-01-01/{raw}", f"flow: as_of is the span 1 January to {raw}"
        return raw, ""
    if re.fullmatch(r"\d{4}-\d{2}", raw):
        return f"{raw}-01", f"raw as_of '{raw}' is the effective month: as_of = its first day"
    if re.fullmatch(r"\d{4}", raw):
        span = f"{raw}-01-01/{raw}-12-31"
        why = {
            "flow": f"flow over {raw}",
            "standard": f"standard in force in {raw}; effective date not given",
            "stock": f"stock at an unstated date in {raw} (not stated as year-end)",
        }.get(kind)
        if why is None:
            raise CleanError(f"no as_of rule for a bare year with kind {kind!r}")
        return span, f"raw as_of '{raw}': {why}, so as_of is the year interval"
    raise CleanError(f"unreadable as_of {raw!r}")


def derive_period(raw: str, as_of: str) -> tuple[str, str]:
    """A project period id for the raw period, and a note when it was changed."""
    raw = raw.strip()
    start, end = as_of_span(as_of)
    if period_span(raw):
        return raw, ""
    m = re.fullmatch(r"(\d{4})-(\d{4})", raw)
    if m:
        pid = m[2]
        note = f"raw period '{raw}' (year range): period = {pid}, the end year, containing as_of"
    else:
        m = re.fullmatch(r"(\d{4}) ([A-Z][a-z]{2})-([A-Z][a-z]{2})", raw)
        if not m:
            raise CleanError(f"period {raw!r} is neither a period id nor a known range")
        year = m[1]
        candidates = [f"{year}Q{q}" for q in range(1, 5)] + [f"{year}H1", f"{year}H2", year]
        first = date(int(year), MONTHS[m[2]], 1)
        pid = next(c for c in candidates
                   if period_span(c)[0] <= first and end <= period_span(c)[1])
        note = (f"raw period '{raw}' (months): period = {pid}, the shortest period containing "
                "the whole span")
    p_start, p_end = period_span(pid)
    if not (p_start <= end <= p_end):
        raise CleanError(f"period {pid} does not contain as_of {as_of}")
    return pid, note


def monthly_yuan(value: str, unit: str, unit_mult: int) -> str:
    if not value or unit_mult != 0:
        return ""
    if unit == "yuan_per_person_month":
        return value
    if unit == "yuan_per_person_year":
        return str((Decimal(value) / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return ""


_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})


def full_width(label: str) -> str:
    """A Chinese label with full-width punctuation: 合肥市(市区) -> 合肥市（市区）."""
    return label.translate(_FULL_WIDTH)


def geo_parts(raw_geo: str) -> tuple[str, str, str]:
    """(code, Chinese label, note) for a raw geo cell, e.g. '合肥市(市区) Hefei urban districts'."""
    label = raw_geo.split(" ", 1)[0]
    name = next((n for n in GEO_CODES if label.startswith(n)), None)
    if name is None:
        raise CleanError(f"unknown geography {raw_geo!r}: add it to GEO_CODES")
    note = GEO_NOTES.get(label, GEO_NOTES.get(name, ""))
    return GEO_CODES[name], GEO_LABELS.get(name, label), note


def read_raw(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CleanError(f"{path}: file not found") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames != RAW_COLUMNS:
        raise CleanError(f"{path}: columns {reader.fieldnames} != expected {RAW_COLUMNS}")
    rows = [{k: (v or "").strip() for k, v in r.items()} for r in reader]
    if len(rows) != len(ROWS):
        raise CleanError(f"{path}: {len(rows)} data rows, the mapping covers {len(ROWS)}; "
                         "update ROWS in scripts/clean_comparators.py")
    return rows


def clean(rows: list[dict[str, str]]) -> tuple[list[dict], list[dict]]:
    comparators: list[dict] = []
    sources: dict[str, dict] = {}
    documents: list[dict] = []
    for n, raw in enumerate(rows, 1):
        where = f"raw row {n} ({raw['indicator_zh']})"
        expected_zh, indicator, kind = ROWS[n]
        if raw["indicator_zh"] != expected_zh:
            raise CleanError(f"{where}: mapping expects {expected_zh!r}; raw file changed?")
        url = raw["source_url"]
        if url not in SOURCES:
            raise CleanError(f"{where}: no SOURCES entry for {url}")
        sid, publisher, published, document, reliability, rel_note = SOURCES[url]
        sources.setdefault(url, {
            "source_id": sid, "url": url, "publisher": publisher, "published": published,
            "document": document, "reliability": reliability, "reliability_note": rel_note,
        })
        if kind == "document":
            doc_id, doc_publisher, doc_rel, doc_note = DOCUMENT_ROWS[n]
            title = re.search(r"《[^》]+》", raw["notes"])
            documents.append({
                "source_id": doc_id, "url": url, "publisher": doc_publisher,
                "published": raw["as_of"],
                "document": f"{title[0] if title else raw['indicator_en']}({raw['value']})",
                "reliability": doc_rel,
                "reliability_note": f"{doc_note}; moved here from raw row {n} "
                f"({raw['indicator_zh']}), which is a {raw['unit']}, not a figure",
            })
            continue

        unit_id, unit_mult, unit_note = UNITS.get(raw["unit"], (None, None, ""))
        unit_id = UNIT_OVERRIDES.get(n, unit_id)
        if unit_id is None:
            raise CleanError(f"{where}: no unit id for {raw['unit']!r}")

        value, qualifier = raw["value"], ""
        if m := re.fullmatch(r">\s*(\d+(?:\.\d+)?)", value):
            value, qualifier = m[1], "more_than"
        row_note = ROW_NOTES.get(n, "").format(value=raw["value"], unit=raw["unit"])
        if indicator == "dibao_standard_pair_unlabelled":
            value = ""
        elif not re.fullmatch(r"\d+(?:\.\d+)?", value):
            raise CleanError(f"{where}: value {raw['value']!r} is not a number")

        as_of, as_of_note = derive_as_of(raw["as_of"], kind)
        period, period_note = derive_period(raw["period"], as_of)
        geo, geo_label, geo_note = geo_parts(raw["geo"])
        notes = [
            "context only, not a civil-affairs comparator" if n in CONTEXT_ROWS else "",
            row_note, geo_note, unit_note, period_note, as_of_note,
            f"source note: {raw['notes']}" if raw["notes"] else "",
        ]
        basis = ("average" if AVERAGE in row_note else
                 "floor" if row_note.startswith("policy floor") else "standard")
        comparators.append({
            "comparator_id": f"c{n:03d}", "period": period, "as_of": as_of, "geo": geo,
            "geo_label_zh": full_width(geo_label), "indicator": indicator,
            "label_zh": full_width(raw["indicator_zh"]),
            "label_en": raw["indicator_en"], "value": value, "unit_mult": str(unit_mult),
            "unit": unit_id, "qualifier": qualifier,
            "value_monthly_yuan": monthly_yuan(value, unit_id, unit_mult),
            "basis": basis, "coverage": "partial" if "partial geography" in geo_note else "whole",
            "source_id": sid, "note": "; ".join(x for x in notes if x),
        })
    source_rows = list(sources.values()) + documents
    check(comparators, source_rows)
    return comparators, source_rows


def check(comparators: list[dict], sources: list[dict]) -> None:
    ids = [s["source_id"] for s in sources]
    if len(ids) != len(set(ids)):
        raise CleanError("duplicate source_id")
    if any(s["reliability"] not in RELIABILITY for s in sources):
        raise CleanError("unknown reliability class")
    known = set(ids)
    keys = Counter((c["indicator"], c["geo"], c["geo_label_zh"], c["as_of"]) for c in comparators)
    if dup := [k for k, v in keys.items() if v > 1]:
        raise CleanError(f"duplicate observations: {dup}")
    for c in comparators:
        if c["source_id"] not in known:
            raise CleanError(f"{c['comparator_id']}: unknown source_id")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", c["indicator"]):
            raise CleanError(f"{c['comparator_id']}: indicator id {c['indicator']!r}")
        p_start, p_end = period_span(c["period"])
        start, end = as_of_span(c["as_of"])
        if not (p_start <= end <= p_end):
            raise CleanError(f"{c['comparator_id']}: as_of {c['as_of']} outside {c['period']}")


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write atomically: a failed run never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", nargs="?", type=Path, default=DEFAULT_RAW,
                        help=f"raw comparators CSV (default: {DEFAULT_RAW})")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        comparators, sources = clean(read_raw(args.raw))
    except CleanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv(args.out_dir / "comparators.csv", COMPARATOR_COLUMNS, comparators)
    write_csv(args.out_dir / "sources.csv", SOURCE_COLUMNS, sources)
    counts = Counter(s["reliability"] for s in sources)
    print(f"comparators.csv: {len(comparators)} rows; sources.csv: {len(sources)} rows "
          f"({', '.join(f'{k} {counts[k]}' for k in RELIABILITY)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
