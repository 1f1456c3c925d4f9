"""Keep the zh_CN translation complete: extract, write the .ts, compile the .qm.

Every user-visible string goes through ``tr("...")`` / ``_tr("...")`` (context
``Livedesk``). This script finds those calls in the Qt code (``widgets/``,
``console/gui/``, ``plugins/``), pairs them with the table below, writes
``resources/i18n/livedesk_zh_CN.ts`` and compiles ``livedesk_zh_CN.qm`` with
pyside6-lrelease.

    .venv/bin/python scripts/make_i18n.py           # regenerate
    .venv/bin/python scripts/make_i18n.py --check   # list untranslated strings, exit 1 if any

The table is the place to add a translation. Strings translated through a variable
(``_tr(label)`` over a table of labels) are not seen by the extractor: keep them in the
table; ``--check`` lists them as unused so a stale one can be spotted.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("widgets", "console/gui", "plugins")
TR_NAMES = frozenset({"tr", "_tr"})
TS_PATH = ROOT / "resources" / "i18n" / "livedesk_zh_CN.ts"

ZH = {
    # Cold start and falling behind the feed (issue 19: widgets/graphs_placeholder.py,
    # widgets/status_bar.py, widgets/alerts_panel.py)
    "Loading the graphs…": "正在加载图表…",
    "falling behind the feed by about {n} events ({s:.1f} s), catching up":
        "处理跟不上数据：落后约 {n} 条（{s:.1f} 秒），正在追赶",
    "Falling behind the feed by about {n} events ({s:.1f} s); catching up":
        "处理跟不上数据：落后约 {n} 条（{s:.1f} 秒），正在追赶",
    # Help → About (widgets/about_dialog.py, console/gui/help_menu.py)
    "&Help": "帮助(&H)", "About Livedesk…": "关于 Livedesk…", "About Livedesk": "关于 Livedesk",
    "Control console for brand self-broadcast live commerce.": "品牌自播直播中控台。",
    "Log file:": "日志文件：", "Recordings:": "录制数据库：", "Runtime:": "运行环境：",
    "Open log folder": "打开日志文件夹", "(no log file)": "（无日志文件）",
    "Send comment": "发评论",
    "&View": "视图(&V)", "Active alerts": "当前告警", "Alert settings": "告警设置", "Alerts": "告警",
    "An internal error occurred": "发生内部错误",
    "Upgrading the recordings database (only once)…": "正在升级录制数据库（仅此一次）…", "Avg order value": "客单价", "Clear card": "取消讲解",
    "Cue host": "提示主播", "Cues": "提示", "Flash sale": "秒杀", "Focus cue box": "聚焦提示输入框",
    "Free text cue, Enter to send": "自定义提示，回车发送", "Funnel": "转化漏斗", "GMV": "成交金额",
    "Inventory": "库存", "Last cue": "上条提示", "Live console": "直播中控台", "NEXT": "下一个",
    "Next": "下一个", "No commands sent yet": "尚未发送指令",
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
    "Data stale after (s)": "数据超时（秒）",
    "Ignore rooms below (viewers)": "在线低于此数忽略", "Low stock below (% of the most stock)": "低库存比例（占最高库存 %）",
    "Low stock below (units)": "低库存件数", "Min clicks": "最少点击数", "Min impressions": "最少曝光数",
    "Online baseline window (s)": "在线基线窗口（秒）", "Online viewers drop by (%)": "在线人数下降（%）",
    "card push": "弹讲解", "flash sale": "秒杀", "sold out": "售罄", "alert": "告警",
    "Rate window (min)": "转化率窗口（分钟）", "Sell-out within (min)": "预计售罄（分钟内）",
    '%n banned term(s) found': '发现 %n 处违禁词',
    '&Prompter': '提词器(&P)',
    '&Replay': '回放(&R)',
    '(end of run-of-show)': '（脚本已结束）',
    'Alert': '告警',
    'Any event': '任意事件',
    'Apply to session': '应用到直播',
    'Card push': '弹讲解',
    'Cautions': '注意事项',
    'Close replay': '关闭回放',
    'Copied': '已复制',
    'Copy remote prompter command': '复制远程提词器命令',
    'Could not read the sessions': '无法读取场次列表',
    'Coupon: {coupon}': '优惠券：{coupon}',
    'Cue cards': '手卡',
    'Delete session': '删除场次',
    'Delete the recording of this session? This cannot be undone.': '删除该场次的录制？此操作无法撤销。',
    'Deleted': '已删除',
    'Delete…': '删除…',
    'Do not say': '禁用语',
    'Duration': '时长',
    'Edit cue cards': '编辑手卡',
    'Events': '事件数',
    'Export CSV (zip)…': '导出 CSV（zip）…',
    'Export PDF…': '导出 PDF…',
    'Export XLSX…': '导出 XLSX…',
    'Export printable HTML…': '导出可打印 HTML…',
    'Export report': '导出报告',
    'Export session': '导出场次',
    'Exported': '已导出',
    'Exporting…': '正在导出…',
    'Export…': '导出…',
    'Failed': '失败',
    'Flash price {price}': '秒杀价 {price}',
    'Flash price {price}, {left} left': '秒杀价 {price}，剩 {left} 件',
    'Flash sale ending: {left} s': '秒杀即将结束：{left} 秒',
    'Flash sale ends in': '秒杀倒计时',
    'Flash stock left': '秒杀库存剩余',
    'Import session': '导入场次',
    'Imported': '已导入',
    'Importing…': '正在导入…',
    'A session with this id is already in the library:': '库中已有相同编号的场次：',
    'Import it again as a copy under a new id?': '以新编号再导入一份副本？',
    'Not imported': '未导入',
    'Import…': '导入…',
    'Kind of event the step buttons jump to': '前后跳转的事件类型',
    'Limit {n} per buyer': '每人限购 {n} 件',
    'Livedesk prompter': 'Livedesk 提词器',
    'Next event of this kind (Right)': '下一个同类事件（→）',
    'No banned terms': '未发现违禁词',
    'No more events of this kind': '没有更多同类事件',
    'No show plan to save': '没有可保存的直播脚本',
    'No such session': '找不到该场次',
    'Open prompt panel': '打开提词器',
    'Open replay': '打开回放',
    'Opened': '已打开',
    'Operator': '运营',
    'Operator: ': '运营：',
    'Peak online': '在线峰值',
    'Pitch lines': '话术',
    'Plan not saved': '脚本未保存',
    'Plan saved': '脚本已保存',
    'Play / pause (Space)': '播放/暂停（空格）',
    'Playback speed ([ and ] change it)': '播放速度（[ 和 ] 调整）',
    'Previous event of this kind (Left)': '上一个同类事件（←）',
    'Prompt panel': '提词器',
    'Re&port': '报告(&P)',
    'Reload': '刷新',
    'Remote prompter': '远程提词器',
    'Remote prompter: off': '远程提词器：未开启',
    'Replace': '替换',
    'Replay': '回放',
    'Report failed': '报告生成失败',
    'Report written': '报告已生成',
    'Revert': '还原',
    'Room': '直播间',
    'Save plan as…': '脚本另存为…',
    'Script': '脚本',
    'Search title, room, date or id': '搜索标题、直播间、日期或编号',
    'Selling points': '卖点',
    'Send the edited cue card to the prompt panel (Ctrl+Return)': '把修改后的手卡发送到提词器（Ctrl+回车）',
    'Session library': '场次库',
    'Session library…': '场次库…',
    'Space / Enter = got it': '空格/回车 = 收到',
    'Start': '开始时间',
    'Step': '跳转',
    'Stock left': '剩余库存',
    'Stock-out': '售罄',
    'Suggestion': '建议替换',
    'Timeline': '时间轴',
    'Title': '标题',
    'Waiting for the first product card…': '等待第一个讲解商品…',
    'Writing report…': '正在生成报告…',
    'connecting…': '连接中…',
    'disconnected': '已断开',
    'ended': '已结束',
    'events': '事件',
    'reconnecting…': '重连中…',
    'recording, follows the end': '录制中，跟随最新',
    'refused: wrong token': '被拒绝：令牌错误',
    'replay': '回放',
    'sessions': '场次',
    'still recording': '仍在录制',
    '{title} is sold out': '{title} 已售罄',
    'Banned phrases': '禁用语',
    'Plugins': '插件',
    'Plugin': '插件',
    'Kind': '类型',
    'Message': '消息',
    'Feed': '数据源',
    'Integration': '联动',
    'Panel': '面板',
    'Running': '运行中',
    'Off': '已关闭',
    'Stopped': '已停止',
    'Ready': '就绪',
    'OBS connection': 'OBS 连接',
    'Address': '地址',
    'Port': '端口',
    'Password': '密码',
    'stored in the system keyring': '保存在系统钥匙串中',
    'Save and reconnect': '保存并重新连接',
    'No system keyring: the OBS password cannot be stored (see docs/plugins.md)': '没有可用的系统钥匙串：无法保存 OBS 密码（见 docs/plugins.md）',
    'Password stored in the system keyring': '密码已保存在系统钥匙串中',
    'No password stored (OBS without authentication)': '未保存密码（适用于不需要认证的 OBS）',
    'Enter the OBS address': '请输入 OBS 地址',
    'Plugin started': '插件已启动',
    'Plugin stopped': '插件已停止',
    'Plugin disabled': '插件已停用',
    'The password was not saved': '密码未保存',
    'Connected to OBS': '已连接 OBS',
    'Show alerts': '显示告警',
    'Alert thresholds…': '告警阈值…',
    'Focus run of show': '聚焦直播脚本',
    'Focus inventory': '聚焦库存',
    'Start a live session': '开始直播场次',
    'Built-in simulator (rehearsal, no real viewers)': '内置模拟器（彩排，无真实观众）',
    'Live feed URL': '直播数据源地址',
    '抖音 Douyin: log in with the shop account': '抖音：用店铺账号登录',
    'A browser window opens the Douyin live console and data screen. Scan the QR code with the shop account once; the login stays in a private browser profile on this computer. Livedesk never sees the password.':
        '将打开浏览器窗口进入抖音直播中控台和数据大屏。用店铺账号扫码登录一次即可；登录状态保存在本机仅限当前用户的浏览器配置中，Livedesk 不会接触密码。',
    'Show the Douyin browser window': '显示抖音浏览器窗口',
    'The Douyin connector could not start': '抖音连接无法启动',
    'URL': '地址',
    'Token': '令牌',
    'optional': '可选',
    'Enter the feed URL (ws://host:port or wss://…)': '请输入数据源地址（ws://主机:端口 或 wss://…）',
    'The feed URL must start with ws:// or wss://': '数据源地址须以 ws:// 或 wss:// 开头',
    'The feed URL has no host': '数据源地址缺少主机',
    'Show plan (run of show)': '直播脚本（排品）',
    'plan file (.yaml, .yml or .json)': '脚本文件（.yaml、.yml 或 .json）',
    'Browse…': '浏览…',
    'Start session': '开始直播',
    'Choose a show plan': '选择直播脚本',
    'Show plans': '直播脚本',
    'The simulator needs a show plan: choose a plan file': '模拟器需要直播脚本：请选择脚本文件',
    'No plan: the run of show comes from the feed only': '无脚本：排品仅来自数据源',
    'products': '个商品',
    'planned minutes': '计划分钟',
    'The plan is valid.': '脚本有效。',
    'The plan cannot be used': '脚本无法使用',
    # ---- Issue 16: on-air safety, File/Live/Help menus, Settings, translated alerts (onair)
    "&File": "文件(&F)", "&Live": "直播(&L)", "(not connected)": "（未连接）",
    "A file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB; used from the next session "
    "(--db overrides it).": "文件路径、sqlite:///文件 或 postgresql+psycopg://用户@主机/库；下一场起生效（--db 优先）。",
    "A flash sale is already running on this product": "该商品已有秒杀进行中",
    "Acknowledge the operator's cue": "确认中控的提示",
    "Action": "操作", "Add this many units to the available stock": "在可售库存上增加这么多件",
    "Advertising-law check": "广告法违禁词检查", "Automatic (the last screen)": "自动（最后一块屏幕）",
    "CTR/CTOR drop by (%)": "点击率/转化率下降（%）",
    "Cancel": "取消", "Click-to-order rate": "点击-成交转化率", "Close": "关闭", "Console": "中控台",
    "Deal price": "秒杀价", "Digit keys push by position; choose another key": "数字键用于按位置弹讲解，请换一个键",
    "End": "结束", "End and start new": "结束并开新场", "End flash sale": "结束秒杀",
    "End session": "结束直播", "End session and quit": "结束直播并退出", "End session…": "结束直播…",
    "End the flash sale now?": "现在结束秒杀？",
    "End the live session and start a new one?": "结束本场直播并开始新的一场？",
    "End the running flash sale…": "结束进行中的秒杀…",
    "End this flash sale now (asks first)": "立即结束这场秒杀（会先确认）",
    "End this live session now?": "现在结束本场直播？",
    "Feed connection lost ({state})": "数据连接中断（{state}）", "Flash sale on": "秒杀商品",
    "Flash sale on the product on air (asks first)": "为讲解中的商品开秒杀（会先确认）",
    "Flash sale on the product on air…": "为讲解中的商品开秒杀…", "Flash stock": "秒杀库存",
    "Flash stock is more than the stock available": "秒杀库存超过可售库存", "Font size": "字号",
    "General": "常规", "Hotkeys": "快捷键", "Keyboard shortcuts": "键盘快捷键", "Keys": "按键",
    "Keys 1-9 push the card at that position": "数字键 1-9 弹出对应位置的讲解卡", "Language": "语言",
    "Leave or enter full screen": "退出或进入全屏", "Live-commerce control console": "直播电商中控台",
    "Livedesk disconnects from the feed and closes the recording; the window stays open on the final "
    "figures.": "Livedesk 断开数据源并结束录制；窗口保留，显示最终数据。",
    "Mirror": "镜像", "Move the selected card": "移动所选商品", "New session": "新的一场",
    "New session…": "新的一场…", "No card is on air": "当前没有讲解中的商品", "No card on air": "当前没有讲解卡",
    "No data for {s:.0f} s": "数据已 {s:.0f} 秒未更新", "No product to start a flash sale on": "没有可开秒杀的商品",
    "Not the product on air": "不是正在讲解的商品",
    "On air (never while typing in a text field)": "直播操作（在输入框中输入时不生效）",
    "On-air keys never act while you type in a text field.": "在输入框中输入时，直播操作快捷键不会生效。",
    "Online viewers down {drop:.0%}: {now} (about {base:.0f} before)": "在线人数下降 {drop:.0%}：{now}（此前约 {base:.0f}）",
    "Online viewers dropping: {now}": "在线人数下降：{now}", "Only {n} left": "库存只剩 {n}",
    "Pause or resume scrolling": "暂停或继续滚动", "Pin comment": "置顶评论", "Product click rate": "商品点击率",
    "Prompter screen": "提词器屏幕", "Push for orders": "催单", "Push next card": "弹下一个讲解",
    "Push previous card": "弹上一个讲解", "Push the card at that position": "弹出该位置的讲解卡",
    "Push the selected card": "弹出所选讲解卡", "Put the link up": "上链接",
    "Quit (asks while live)": "退出（直播中会先确认）", "Recording database": "录制数据库",
    "Restore default keys": "恢复默认按键", "Screen": "屏幕", "Scroll speed": "滚动速度",
    "Send the edited cue card to the prompt panel": "把编辑后的手卡发送到提词器",
    "Session ended: the recording is closed": "直播已结束：录制已关闭", "Set stock": "设置库存",
    "Set the available stock to N, or add N to it": "把可售库存设为 N，或增加 N",
    "Settings": "设置", "Settings saved": "设置已保存", "Settings…": "设置…",
    "Simulator autopilot: pushes cards and starts flash sales by itself (steps aside after your own "
    "push)": "模拟器自动驾驶：自动弹讲解、开秒杀（你手动弹讲解后会暂停）",
    "Sound on new warnings": "新告警时响铃", "Sounds": "声音", "Space / Enter": "空格 / 回车",
    "Start a flash sale": "开始秒杀", "Start flash sale": "开始秒杀", "Step a page (foot pedals)": "翻一页（脚踏板）",
    "System language": "跟随系统", "Take card off air": "取消讲解", "Take card off air (asks first)": "取消讲解（会先确认）",
    "Take card off air…": "取消讲解…", "Take off air": "取消讲解",
    "Take the card off air (asks first)": "取消讲解卡（会先确认）", "Take this card off air?": "取消这个讲解卡？",
    "Talk about the perks": "讲福利", "The deal price must be above 0 and below the price": "秒杀价必须大于 0 且低于售价",
    "The feed is disconnected and the recording is closed; viewers keep seeing the platform's live room.":
        "将断开数据源并结束录制；观众仍会看到平台上的直播间。",
    "The language changes at the next start.": "语言在下次启动时生效。",
    "The session is live. Quit and end the recording?": "正在直播。要退出并结束录制吗？",
    "Two actions have the same key": "两个操作用了同一个按键", "Units; Enter applies": "件数；回车生效",
    "Use a SQLite file, sqlite:///FILE or postgresql+psycopg://…": "请填 SQLite 文件、sqlite:///文件 或 postgresql+psycopg://…",
    "Viewers no longer see the explanation card.": "观众将不再看到讲解卡。", "Where": "位置",
    "add": "增加", "automation": "自动规则", "by": "来自", "default: livedesk.db in the user data folder":
        "默认：用户数据目录下的 livedesk.db", "double-click": "双击", "host acknowledged": "主播已确认",
    "instead of": "原价", "operator": "中控", "platform": "平台", "session": "本场",
    "session ended": "直播已结束", "set to": "设为", "simulator autopilot": "模拟器自动驾驶", "sold": "已售",
    "units": "件", "{title} sells out in about {m:.1f} min": "{title} 预计 {m:.1f} 分钟内售罄",
    "{title}: low stock, {n} left": "{title} 库存低：剩 {n} 件", "{what} dropping: {value:.1%}": "{what}下降：{value:.1%}",
    "{who} put 「{title}」 on air": "{who}弹出了「{title}」", "{who} took the card off air": "{who}取消了讲解",
    # funnel stages and rates (translated through a table in widgets/funnel_view.py)
    "Room impressions": "直播间曝光", "Entered (viewers)": "进入(观看)", "Product impressions": "商品曝光",
    "Product clicks": "商品点击", "Buyers": "成交", "Impression-to-entry rate": "曝光-进入率",
    "Product impression rate": "商品曝光率", "Pushed (who)": "弹讲解记录（操作者）",
    # issue 16 items 7 and 8: feed health, data age, session status
    "Age of these figures: time since the feed last sent data": "这些数字的时效：距离数据源上次发来数据的时间",
    "Connecting…": "正在连接…", "Connection to the feed {target} lost.": "与数据源 {target} 的连接已断开。",
    "Feed status": "数据源状态", "Figures on screen are {n} s old.": "屏幕上的数字是 {n} 秒前的。",
    "No data from the feed {target} for {n} s; the figures are not live.":
        "数据源 {target} 已 {n} 秒没有数据；数字不是实时的。",
    "No data has arrived yet.": "尚未收到任何数据。", "Not connected to the feed {target}.": "未连接到数据源 {target}。",
    "Not connected: the feed {target} is closed.": "未连接：数据源 {target} 已关闭。",
    "Reason: {reason}.": "原因：{reason}。", "Reconnecting (attempt {n})…": "正在重连（第 {n} 次）…",
    "The feed restarted as a new session ({new}). The previous session ({old}) was closed as "
    "interrupted and is kept in the library; the plan and run-of-show order carried over.":
        "数据源已重启为新场次（{new}）。上一场（{old}）已标记为中断并保留在场次库中；脚本和讲解顺序已沿用。",
    "The feed {target} refused the token.": "数据源 {target} 拒绝了令牌。",
    "interrupted": "已中断",
    "interrupted: the feed restarted or the recorder stopped without ending the session":
        "已中断：数据源重启，或录制在场次结束前停止",
    "no data": "无数据", "no live data": "无实时数据", "{n} h old": "{n} 小时前", "{n} min old": "{n} 分钟前",
    "{n} s old": "{n} 秒前",
    "an older recording: its operator and alert times were put on the feed's clock":
        "旧版录制：运营操作和告警的时间已校正到数据源的时钟",
    # comment desk and automation
    'advertising law (广告法): {terms}': '广告法违禁词：{terms}',
    'rate limit: {n} replies a minute': '频率上限：每分钟 {n} 条回复',
    'no message can be sent now (missing values, or only the last one sent)': '当前没有可发送的消息（缺少数据，或只剩上一条）',
    '{n} characters (at most 100)': '{n} 个字（最多 100）',
    'empty text': '内容为空',
    'Automation held back': '自动化已拦截',
    'Reply to comments': '回复评论',
    '{title}: {left} s left of {minutes} min': '{title}：计划 {minutes} 分钟，还剩 {left} 秒',
    '{title} in {n} s': '{n} 秒后切换到 {title}',
    'AUTO off': '自动 关',
    'AUTO on': '自动 开',
    'AUTO paused': '自动 暂停',
    'Activity': '动态',
    'Advanced to': '已切换到',
    'Advertising law (广告法): {terms}; this cannot be sent': '广告法违禁词：{terms}；无法发送',
    'After-sales': '售后',
    'All kinds': '全部类型',
    'Auto-reply': '自动回复',
    'Automatic actions': '自动操作',
    'Automation': '自动化',
    'Automation is off; switch it on in the Automation panel': '自动化未开启；请在“自动化”面板中开启',
    'Automation on for this session': '本场开启自动化',
    'Automation paused': '自动化已暂停',
    'Automation resumed': '自动化已恢复',
    'Automation rules applied': '自动化规则已应用',
    'Card re-pop': '讲解卡重弹',
    'Click a comment to pin, reply or send it to the host': '点击评论可置顶、回复或推给主播',
    'Comments': '评论',
    'F8 pauses or resumes automation': 'F8 暂停或恢复自动化',
    'Held back': '已拦截',
    'Keyword auto-reply': '关键词自动回复',
    'Last action': '上次操作',
    'Last held back': '上次拦截',
    'Message sent': '消息已发送',
    'Next card soon': '即将切换讲解卡',
    'Next card soon: {title}': '即将切换：{title}',
    'No comments match': '没有符合条件的评论',
    'No comments yet': '暂无评论',
    'Not valid YAML': 'YAML 格式错误',
    'Only comments asking about size, price, shipping, stock or after-sales': '只看询问尺码、价格、发货、库存或售后的评论',
    'Pause (F8)': '暂停 (F8)',
    'Pause or resume automation': '暂停/恢复自动化',
    'Pin': '置顶',
    'Pin sent': '已发送置顶',
    'Pinned': '置顶',
    'Planned time is up': '计划时长已到',
    'Questions': '问题',
    'Quick replies; {product}, {price}, {stock}, {link_no} … are filled in from the session': '快捷回复；{product}、{price}、{stock}、{link_no} 等按当前直播自动填写',
    'Quick reply…': '快捷回复…',
    'Reply sent': '回复已发送',
    'Reply to the room, Enter to send': '发送到直播间，回车发送',
    'Reply to {nick}, Enter to send': '回复 {nick}，回车发送',
    'Resume (F8)': '恢复 (F8)',
    'Rules and templates': '规则与模板',
    'Run-of-show timer': '排品计时',
    'Scheduled messages': '定时发言',
    'Search comments or nicks': '搜索评论或昵称',
    'Send to host': '推给主播',
    'Sent to the prompt panel': '已推送到提词器',
    'Shipping': '发货',
    'Size': '尺码',
    'The automation section must be a mapping': 'automation 部分必须是映射',
    "The plan's automation: section (YAML)": '脚本中的 automation: 部分（YAML）',
    'This template needs {{{name}}}, which the session does not have now': '该模板需要 {{{name}}}，当前直播没有此数据',
    'Time is up soon': '时间快到',
    'Viewer': '观众',
    'Viewer asks': '观众提问',
    'auto': '自动',
    'auto-advance': '自动切换',
    'every {n} s': '每 {n} 秒',
    'follower': '粉丝',
    'held back': '已拦截',
    'ordered': '已下单',
    'returning': '老客',
    'room': '本号',
    'warn {n} s before the planned end': '计划结束前 {n} 秒提醒',
    '{k} rules · at most {n}/min · same text to a buyer once in {t} min': '{k} 条规则 · 每分钟最多 {n} 条 · 同一买家同一句 {t} 分钟内只发一次',
    '{k} texts every {n} ± {j} s': '{k} 条 · 每 {n} ± {j} 秒',
    '{n} comments · {q} questions · {r} replies · {m}/min': '{n} 条评论 · {q} 个问题 · {r} 条回复 · 每分钟 {m}',
    '{n} new': '{n} 条新评论',
    # plan editor, sheet import (widgets/plan_editor.py, widgets/column_mapping_dialog.py)
    '%1 problem(s), %2 advertising-law hit(s)': '%1 个问题，%2 处广告法风险',
    '%1 products, %2 planned minutes': '%1 个商品，计划 %2 分钟',
    '%n product(s) imported': '已导入 %n 个商品', '%n product(s) sent to the show': '已同步 %n 个商品到直播',
    '%n product(s) will be imported': '将导入 %n 个商品',
    '%n row(s) cannot be read and will be left out': '%n 行无法读取，将被跳过',
    '%n row(s) left out': '跳过 %n 行', '%n with problems not sent': '%n 个有问题的商品未同步',
    '&Edit': '编辑(&E)', 'Add product': '添加商品', 'Apply to show': '同步到直播',
    'Discard the unsaved changes?': '放弃未保存的修改？',
    'Duplicate product': '复制商品',
    'Each column goes to the plan field chosen above it. Columns marked ? have a header Livedesk '
    'does not know: choose their field or leave them ignored. Your choices are remembered for the '
    'next sheet.': '每一列导入到上方所选的脚本字段。标有 ? 的列表头无法识别：请选择对应字段，或保持忽略。'
                   '你的选择会被记住，下次导入时自动使用。',
    'Edit': '编辑', 'Edit plan…': '编辑脚本…', 'Every row can be read.': '所有行均可读取。',
    'Export failed': '导出失败', 'Export run of show (PDF)…': '导出主播手卡 (PDF)…',
    'Export to XLSX…': '导出为 XLSX…', 'Field': '字段',
    "Fix the plan's problems before exporting it.": '请先修正脚本中的问题再导出。',
    'Flash-sale minutes': '秒杀时长(分钟)', 'Flash-sale price': '秒杀价', 'Flash-sale stock': '秒杀库存',
    'Ignore': '忽略', 'Image URL': '商品图片链接', 'Import': '导入', 'Import a sheet': '导入表格',
    'Import products from the live session': '从直播间导入商品', 'Import sheet': '导入表格',
    'Import sheet (XLSX/CSV)…': '导入表格 (XLSX/CSV)…', 'Limit per buyer': '每人限购',
    'List price': '划线价', 'Live session: %1 added, %2 updated': '直播间商品：新增 %1，更新 %2',
    'Move down': '下移', 'Move product': '移动商品', 'Move up': '上移', 'New plan': '新建脚本',
    'New product': '新商品', 'Offer mechanics': '福利机制', 'Open plan…': '打开脚本…',
    'Open the plan editor: write the plan, or import it from an Excel sheet':
        '打开脚本编辑器：编写直播脚本，或从 Excel 表格导入',
    'P&lan': '脚本(&L)', 'Plan': '脚本', 'Plan editor': '脚本编辑器', 'Plan editor…': '脚本编辑器…',
    'Planned minutes': '讲解时长(分钟)', 'Platform': '平台', 'Price': '到手价', 'Redo': '重做',
    'Remove product': '删除商品', 'Row %n': '第 %n 行', 'SKU': 'SKU/货号', 'Save': '保存', 'Save as…': '另存为…',
    'Save the changes to the plan before closing?': '关闭前保存对脚本的修改吗？',
    'Send the products added or changed to the live session (recorded in the session log)':
        '把新增或修改的商品同步到正在进行的直播（记录在场次日志中）',
    'Session': '场次', 'Session title': '直播标题', 'Sheet': '工作表', 'Sheets': '表格',
    'Stock allotted': '备货库存', 'The plan cannot be opened': '脚本无法打开',
    'The plan is valid and passes the advertising-law check.': '脚本有效，并通过广告法检查。',
    'The plan was not saved': '脚本未保存',
    'The plan was not saved: fix these problems first.': '脚本未保存：请先修正以下问题。',
    'The sheet cannot be read': '无法读取表格', 'Undo': '撤销', 'Untitled plan': '未命名脚本',
    'header on row %n': '表头在第 %n 行', 'not an image': '不是图片', 'one per line': '每行一条',
    'rephrase': '改写', 'Advertising law': '广告法',
}


def source_strings() -> dict[str, list[str]]:
    """Every literal passed to tr()/_tr() in the Qt code, with where it is used."""
    found: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                        and ((isinstance(node.func, ast.Name) and node.func.id in TR_NAMES)
                             or (isinstance(node.func, ast.Attribute) and node.func.attr in TR_NAMES))):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.setdefault(node.args[0].value, []).append(where)
    return found


def missing_translations() -> dict[str, list[str]]:
    return {text: where for text, where in source_strings().items() if text not in ZH}


def write_ts(path: Path = TS_PATH) -> Path:
    used = source_strings()
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             '<TS version="2.1" language="zh_CN" sourcelanguage="en">', "<context>",
             "    <name>Livedesk</name>"]
    for src in sorted(set(used) | set(ZH)):
        if src not in ZH:
            lines += ["    <message>", f"        <source>{escape(src)}</source>",
                      '        <translation type="unfinished"></translation>', "    </message>"]
        else:  # also strings translated through a variable (tr(label) over a table)
            lines += ["    <message>", f"        <source>{escape(src)}</source>",
                      f"        <translation>{escape(ZH[src])}</translation>", "    </message>"]
    lines += ["</context>", "</TS>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    missing = missing_translations()
    if "--check" in argv:
        for text, where in sorted(missing.items()):
            print(f"untranslated: {text!r} ({', '.join(where)})")
        unused = sorted(set(ZH) - set(source_strings()))
        for text in unused:
            print(f"unused translation: {text!r}")
        return 1 if missing else 0
    ts = write_ts()
    for text, where in sorted(missing.items()):
        print(f"warning: untranslated {text!r} ({', '.join(where)})", file=sys.stderr)
    lrelease = ROOT / ".venv" / "bin" / "pyside6-lrelease"
    tool = str(lrelease) if lrelease.exists() else shutil.which("pyside6-lrelease")
    if tool:
        return subprocess.call([tool, "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))])
    print("warning: pyside6-lrelease not found; the .qm was not rebuilt (the .ts is read instead)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
