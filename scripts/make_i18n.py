"""Write resources/i18n/livedesk_zh_CN.ts from the table below and compile it with pyside6-lrelease."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
ZH = {
    "&View": "视图(&V)", "Active alerts": "当前告警", "Alert settings": "告警设置", "Alerts": "告警",
    "An internal error occurred": "发生内部错误", "Avg order value": "客单价", "Clear card": "取消讲解",
    "Cue host": "提示主播", "Cues": "提示", "Flash sale": "秒杀", "Focus cue box": "聚焦提示输入框",
    "Free text cue, Enter to send": "自定义提示，回车发送", "Funnel": "转化漏斗", "GMV": "成交金额",
    "Inventory": "库存", "Last cue": "上条提示", "Live console": "直播中控台", "NEXT": "下一个",
    "Next": "下一个", "No commands sent yet": "尚未发送指令",
    "No flash offer in the plan for this product": "脚本中该商品没有秒杀机制",
    "ON AIR": "讲解中", "Orders": "成交订单", "Orders/min": "每分钟订单", "Paying buyers": "成交人数",
    "Prev": "上一个", "Product": "商品",
    "Push the selected card (or double-click); keys 1-9 push by position":
        "弹出所选商品讲解卡（或双击）；数字键 1-9 按位置弹讲解",
    "Push card": "弹讲解", "Quit": "退出", "Rate/min": "每分钟销量", "Reset layout": "重置布局",
    "Restock": "补库存", "Run of show": "直播脚本", "SOLD OUT": "售罄", "Sell-out ETA": "预计售罄",
    "Send": "发送", "Set available stock for this product": "设置该商品可售库存", "Stock": "库存",
    "Undo reorder": "撤销排序", "Weakest step": "最弱环节",
    "Weakest step: waiting for traffic": "最弱环节：等待流量数据",
    "cancelled": "已取消", "closed": "已断开", "connecting": "连接中", "created": "已下单",
    "data age": "数据延迟", "events/s": "事件/秒", "explained": "讲解", "flash": "秒杀价",
    "left": "剩余", "list": "划线价", "live": "直播中", "min": "分钟", "minutes": "分钟",
    "not recording": "未录制", "on air": "已讲", "paid": "已支付", "pending": "待确认",
    "planned": "计划", "reconnecting": "重连中", "recording": "录制", "refunded": "已退款",
    "seq": "序号", "attempt": "第几次", "benchmark": "基准", "UV value": "UV价值",
    "View-to-pay": "观看-成交率", "Time": "时间", "Buyer": "买家", "Qty": "数量",
    "Amount": "金额", "Status": "状态", "Online viewers": "在线人数", "GMV / min": "每分钟成交金额",
    "Orders / min": "每分钟订单", "Product clicks / min": "每分钟商品点击",
    "Host (call to action)": "主播（促单话术）",
    "Offer and host (price, closing, trust)": "货品与主播（价格、逼单、信任）",
    "Operator (cover, traffic, card visibility)": "运营（封面、流量、讲解卡曝光）",
    "CTR/CTOR drop (share)": "点击率/转化率下降比例", "Data stale after (s)": "数据超时（秒）",
    "Ignore rooms below (viewers)": "在线低于此数忽略", "Low stock below (share of max)": "低库存比例",
    "Low stock below (units)": "低库存件数", "Min clicks": "最少点击数", "Min impressions": "最少曝光数",
    "Online baseline window (s)": "在线基线窗口（秒）", "Online drop (share)": "在线下降比例",
    "card push": "弹讲解", "flash sale": "秒杀", "sold out": "售罄", "alert": "告警",
    "Rate window (min)": "转化率窗口（分钟）", "Sell-out within (min)": "预计售罄（分钟内）",
}


def main() -> int:
    out = ROOT / "resources" / "i18n" / "livedesk_zh_CN.ts"
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             '<TS version="2.1" language="zh_CN" sourcelanguage="en">', "<context>",
             "    <name>Livedesk</name>"]
    for src, tr in sorted(ZH.items()):
        lines += ["    <message>", f"        <source>{escape(src)}</source>",
                  f"        <translation>{escape(tr)}</translation>", "    </message>"]
    lines += ["</context>", "</TS>", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    lrelease = ROOT / ".venv" / "bin" / "pyside6-lrelease"
    if lrelease.exists() or shutil.which("pyside6-lrelease"):
        cmd = [str(lrelease) if lrelease.exists() else "pyside6-lrelease", str(out), "-qm",
               str(out.with_suffix(".qm"))]
        return subprocess.call(cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
