"""Chinese sentences built from the figures, so the text changes when the data does.

A sentence is a template whose fields name figures. `{id}` is the figure as written
(3.46万人); `{pct:a:b}` is 100*a/b with one decimal (b may be a sum `x+y`);
`{ratio:a:b}` is a/b with two decimals; `{monthly:a:b}` is a / b / months of a's window;
`{gap:a}` is 100 - a; `{date:a}` is the date a refers to (2020年5月31日); `{geo:a}` lists a
by place. A sentence whose figures are absent from the period is left out.
"""

from __future__ import annotations

import re
from datetime import date

from analysis.checks import FAILS, HOLDS, NOT_APPLICABLE, VERDICT_ZH, WITHIN, per_person_month
from analysis.escape import html_text
from analysis.figures import as_of_end
from analysis.view import PeriodView

SENTENCES: dict[str, list[str]] = {
    "social_assistance": [
        "{place}保障城市低保对象{dibao_urban_recipients}、资金{dibao_urban_spending},农村低保对象"
        "{dibao_rural_recipients}、资金{dibao_rural_spending};农村对象占低保对象总数的"
        "{pct:dibao_rural_recipients:dibao_urban_recipients+dibao_rural_recipients}。",
        "城乡低保标准为{dibao_standard}。",
        "城市特困人员供养标准为{tekun_urban_standard},是低保标准的"
        "{ratio:tekun_urban_standard:dibao_standard}倍。",
        "农村特困人员基本生活标准为{tekun_rural_basic_standard},是低保标准的"
        "{ratio:tekun_rural_basic_standard:dibao_standard}倍。",
        "按资金和人数折算,城市低保月人均支出约{monthly:dibao_urban_spending:dibao_urban_recipients}元,"
        "农村低保约{monthly:dibao_rural_spending:dibao_rural_recipients}元。",
        "保障城市特困供养人员{tekun_urban_recipients}、资金{tekun_urban_spending};农村特困供养人员"
        "{tekun_rural_recipients}、资金{tekun_rural_spending},其中集中供养{tekun_rural_centralized}、"
        "分散供养{tekun_rural_dispersed}。",
        "未脱贫建档立卡贫困人口{poor_unlifted_total}中,享受民政社保兜底政策的{poor_backstop_total},"
        "按人数计算占{pct:poor_backstop_total:poor_unlifted_total}(报告写作{poor_backstop_share})。",
        "实施临时救助{temp_assistance_cases}、{temp_assistance_spending},其中“救急难”救助"
        "{jijinan_cases}、{jijinan_spending}。",
        "{place}孤儿{orphans}、留守和困境儿童{left_behind_distressed_children}得到关爱;截至"
        "{date:orphan_support_spending}发放孤儿基本保障资金{orphan_support_spending}。",
        "为困难残疾人{disability_living_subsidy_recipients}发放生活补贴"
        "{disability_living_subsidy_spending},为重度残疾人{disability_care_subsidy_recipients}发放"
        "护理补贴{disability_care_subsidy_spending}。",
        "截至{date:vagrant_assistance_cases}救助生活无着人员{vagrant_assistance_cases}、"
        "{vagrant_assistance_spending}。",
    ],
    "elderly_care": [
        "{place}社区康养中心年度建设任务{community_care_centres_task},截至{date:community_care_centres_completed}"
        "已建成{community_care_centres_completed},完成任务的"
        "{pct:community_care_centres_completed:community_care_centres_task}。",
        "政府购买居家养老服务完成订单{home_care_orders}、订单额{home_care_order_value}。",
        "特困供养机构上报改造{tekun_facility_upgrades_submitted}、资金{tekun_facility_upgrade_funding};"
        "社会化转型完成{tekun_facilities_socialized},完成转型床位占比"
        "{tekun_facility_beds_socialized_share},法人登记率{tekun_facility_legal_person_rate}。",
        "{place}失能半失能特困人员集中供养率{disabled_tekun_centralized_rate}。",
        "失能建档立卡贫困人员社会化组织化试点入住情况:{geo:disabled_poor_care_pilot_residents}。",
    ],
    "social_organizations": [
        "登记在册的社会组织{social_orgs_registered};社区枢纽型社会组织{community_hub_orgs},"
        "登记的社区社会组织{community_social_orgs_registered},备案的社区社会组织"
        "{community_social_orgs_filed}。",
        "社会组织中单独建立党组织{social_org_party_orgs_standalone},联合组建"
        "{social_org_party_orgs_joint},派驻党建工作指导员或联络员{social_org_party_instructors}。",
        "{social_org_annual_inspections}社会组织参加年检;{social_orgs_abnormal_list}列入活动异常名录,"
        "{social_orgs_dishonesty_list}列入严重违法失信名单,另有{social_orgs_listing_pending}正在按程序审批。",
    ],
    "community_governance": [
        "解决社区用房{community_office_space_resolved},城市社区服务设施覆盖率"
        "{urban_community_facility_coverage},每百户居民拥有的综合服务设施达到"
        "{community_facility_area_per_100_households}。",
        "{place}{rural_community_pilots}农村社区开展试点,覆盖率{rural_community_pilot_coverage},"
        "距100%的目标还差{gap:rural_community_pilot_coverage}个百分点。",
        "城乡社区(村)工作委员会组建挂牌率{community_committee_listing_rate},"
        "{provincial_consultation_demo_units}城乡社区(村)协商示范单位被命名为省级试点单位。",
        "{smart_community_pilots}智慧社区试点正在推进;全市{villages_communities_charters_revised}"
        "村(社区)均修订完善了村规民约和居民公约。",
    ],
    "public_services": [
        "截至{date:marriage_registrations}办理婚姻登记{marriage_registrations}。",
        "{place}已建成城市公益性公墓{urban_public_cemeteries_built}、开工"
        "{urban_public_cemeteries_under_construction}、完成规划选址{urban_public_cemeteries_sited};"
        "建成乡镇公益性公墓{township_public_cemeteries_built},在建"
        "{township_public_cemeteries_under_construction}、已立项{township_public_cemeteries_approved},"
        "仍有{township_public_cemeteries_not_built}未建。",
        "惠民殡葬工程已有{funeral_benefit_beneficiaries}受益。",
        "{place}实名认证志愿者{volunteers_registered},占常住人口的{volunteers_population_share};"
        "有活动记录的志愿者{volunteers_active},按人数计算活动率为"
        "{pct2:volunteers_active:volunteers_registered}(报告写作{volunteers_activity_rate})。",
        "“慈善一日捐”共募集善款{charity_day_funds_raised},发放救助资金{charity_day_aid_disbursed};"
        "疫情期间接收捐赠资金{covid_donations_cash}、物资{covid_donations_goods}"
        "(折价{covid_donations_goods_value})。",
        "共采集{address_roads_collected}城区道路{address_records_collected}地名地址信息,"
        "门楼牌二维码累计扫码访问{doorplate_qr_visits}。",
    ],
}


class _Absent(KeyError):
    pass


_FIELD = re.compile(r"\{([^{}]+)\}")


class _Fields:
    """Resolves the template fields of one period's view."""

    def __init__(self, view: PeriodView):
        self.view = view

    def _value(self, ids: str) -> float:
        total = 0.0
        for indicator in ids.split("+"):
            if not self.view.has(indicator):
                raise _Absent(indicator)
            total += self.view.value(indicator)
        return total

    def field(self, key: str) -> str:
        kind, _, rest = key.partition(":") if ":" in key else ("", "", key)
        view = self.view
        if key == "place":
            return view.place
        if kind == "":
            if not view.has(rest):
                raise _Absent(rest)
            return view.written(rest)
        parts = rest.split(":")
        if kind in ("pct", "pct2"):
            digits = 1 if kind == "pct" else 2
            return f"{100 * self._value(parts[0]) / self._value(parts[1]):.{digits}f}%"
        if kind == "ratio":
            return f"{self._value(parts[0]) / self._value(parts[1]):.2f}"
        if kind == "monthly":
            average = per_person_month(self._value(parts[0]), self._value(parts[1]),
                                       view.row(parts[0])["as_of"])
            if average is None:
                raise _Absent(parts[0])
            return f"{average:.2f}"
        if kind == "gap":
            return f"{100 - self._value(parts[0]):.1f}"
        if kind == "date":
            self._value(parts[0])
            day = date.fromisoformat(as_of_end(view.row(parts[0])["as_of"]))
            return f"{day.year}年{day.month}月{day.day}日"
        if kind == "geo":
            rows = view.figures[(view.figures["indicator"] == parts[0])
                                & (view.figures["geo"] != view.home)]
            if rows.empty:
                raise _Absent(parts[0])
            return "、".join(f"{r['geo_zh']}{view.written(parts[0], r['geo'])}"
                            for _, r in rows.iterrows())
        raise ValueError(f"unknown field kind {kind!r} in a narrative template")

    def format(self, template: str) -> str:
        """The sentence with every field filled in, each escaped for HTML."""
        return _FIELD.sub(lambda m: html_text(self.field(m.group(1))), template)


def sentences(view: PeriodView, area: str) -> list[str]:
    """The area's sentences whose figures are all present in the period."""
    fields = _Fields(view)
    out = []
    for template in SENTENCES.get(area, []):
        try:
            out.append(fields.format(template))
        except _Absent:
            continue
    return out


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _items(texts: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{t}</li>" for t in texts) + "</ul>"


def area_text(view: PeriodView, area: str) -> str:
    """Narrative paragraph(s) of one work area for the period (HTML)."""
    found = sentences(view, area)
    if not found:
        rows = view.figures[view.figures["area"] == area]
        if rows.empty:
            return _paragraphs([f"{html_text(view.label)}的报告没有这一领域的数字。"])
        found = ["本期数字:" + "、".join(html_text(
            f"{r['geo_zh']}{r['label_zh']}{view.written(r['indicator'], r['geo'])}")
            for _, r in rows.iterrows()) + "。"]
    found[0] = f"{html_text(view.label)},{found[0]}"
    return _paragraphs(found)


def headline(view: PeriodView, area: str) -> str | None:
    """The first sentence of an area (for the overview)."""
    found = sentences(view, area)
    return found[0] if found else None


def quality(view: PeriodView) -> str:
    """Summary of the check verdicts, naming each check that does not hold."""
    results = [r for r in view.checks if r.verdict != NOT_APPLICABLE]
    counts = {v: sum(r.verdict == v for r in results) for v in (HOLDS, WITHIN, FAILS)}
    text = (f"本期数据共核验{len(results)}项:{counts[HOLDS]}项{VERDICT_ZH[HOLDS]},"
            f"{counts[WITHIN]}项{VERDICT_ZH[WITHIN]},{counts[FAILS]}项{VERDICT_ZH[FAILS]}。")
    failing = [r for r in results if r.verdict == FAILS]
    if not failing:
        return _paragraphs([text])
    return _paragraphs([text + "不成立的项目是报告自身数字之间的矛盾,如实列出:"]) + _items(
        [f"<strong>{html_text(r.title_zh)}</strong>:{html_text(r.detail)}" for r in failing])


def overview(view: PeriodView) -> str:
    """One headline sentence per work area present in the period (markdown list)."""
    areas = view.dataset.config.areas
    lines = [f"<strong>{html_text(names[0])}</strong>:{line}" for area, names in areas.items()
             if (line := headline(view, area)) is not None]
    if not lines:
        return _paragraphs([f"{html_text(view.label)}的报告没有可展示的数字。"])
    return _items(lines)


def audit(view: PeriodView) -> str:
    """Result of the audit of the report text (when the period has source.txt)."""
    from analysis.audit import audit as run_audit

    folder = view.project.period_dir(view.period)
    if not (folder / "source.txt").exists():
        return _paragraphs(["本期没有报告全文(source.txt),不做录入完整性核查。"])
    result = run_audit(folder)
    total = len(result.captured) + len(result.excluded) + len(result.unexplained)
    text = (f"报告全文中共识别出{total}处数字:{len(result.captured)}处已录入,"
            f"{len(result.excluded)}处为日期、序号或名称等并注明了不录入的理由,{len(result.unexplained)}处未解释。")
    if result.unexplained:
        text += "未解释的数字:" + "、".join(html_text(m.text) for m in result.unexplained) + "。"
    return _paragraphs([text])
