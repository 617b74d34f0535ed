"""Chinese sentences built from the figures, so the text changes when the data does."""

from __future__ import annotations

from analysis.view import PeriodView


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%"


def social_assistance(view: PeriodView) -> str:
    """Narrative of the social-assistance figures of a period (markdown)."""
    w = view.written
    lines = []
    if view.has("dibao_urban_recipients") and view.has("dibao_rural_recipients"):
        urban, rural = view.value("dibao_urban_recipients"), view.value("dibao_rural_recipients")
        lines.append(
            f"{view.label},全市保障城市低保对象{w('dibao_urban_recipients')}、"
            f"农村低保对象{w('dibao_rural_recipients')},农村占低保对象总数的"
            f"{_pct(rural, urban + rural)}。"
        )
    if view.has("dibao_standard"):
        sentence = f"城乡低保标准为{w('dibao_standard')}"
        parts = [f"{view.row(i)['label_zh']}{w(i)}(为低保标准的"
                 f"{view.value(i) / view.value('dibao_standard'):.2f}倍)"
                 for i in ("tekun_urban_standard", "tekun_rural_basic_standard") if view.has(i)]
        if parts:
            sentence += ",调整后" + "、".join(parts)
        lines.append(sentence + "。")
    if view.has("poor_backstop_total") and view.has("poor_unlifted_total"):
        lines.append(
            f"未脱贫建档立卡贫困人口{w('poor_unlifted_total')}中,享受民政社保兜底政策的"
            f"{w('poor_backstop_total')},按人数计算占"
            f"{_pct(view.value('poor_backstop_total'), view.value('poor_unlifted_total'))}"
            f"(报告写作{w('poor_backstop_share')})。"
            if view.has("poor_backstop_share") else
            f"未脱贫建档立卡贫困人口{w('poor_unlifted_total')}中,享受民政社保兜底政策的"
            f"{w('poor_backstop_total')}。"
        )
    return "\n\n".join(lines)
