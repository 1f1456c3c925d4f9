<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Livedesk</name>
    <message>
        <source>%1 problem(s), %2 advertising-law hit(s)</source>
        <translation>%1 个问题，%2 处广告法风险</translation>
    </message>
    <message>
        <source>%1 products, %2 planned minutes</source>
        <translation>%1 个商品，计划 %2 分钟</translation>
    </message>
    <message>
        <source>%n banned term(s) found</source>
        <translation>发现 %n 处违禁词</translation>
    </message>
    <message>
        <source>%n product(s) imported</source>
        <translation>已导入 %n 个商品</translation>
    </message>
    <message>
        <source>%n product(s) sent to the show</source>
        <translation>已同步 %n 个商品到直播</translation>
    </message>
    <message>
        <source>%n product(s) will be imported</source>
        <translation>将导入 %n 个商品</translation>
    </message>
    <message>
        <source>%n row(s) cannot be read and will be left out</source>
        <translation>%n 行无法读取，将被跳过</translation>
    </message>
    <message>
        <source>%n row(s) left out</source>
        <translation>跳过 %n 行</translation>
    </message>
    <message>
        <source>%n with problems not sent</source>
        <translation>%n 个有问题的商品未同步</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Live</source>
        <translation>直播(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Prompter</source>
        <translation>提词器(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Replay</source>
        <translation>回放(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>(end of run-of-show)</source>
        <translation>（脚本已结束）</translation>
    </message>
    <message>
        <source>(no log file)</source>
        <translation>（无日志文件）</translation>
    </message>
    <message>
        <source>(not connected)</source>
        <translation>（未连接）</translation>
    </message>
    <message>
        <source>A browser window opens the Douyin live console and data screen. Scan the QR code with the shop account once; the login stays in a private browser profile on this computer. Livedesk never sees the password.</source>
        <translation>将打开浏览器窗口进入抖音直播中控台和数据大屏。用店铺账号扫码登录一次即可；登录状态保存在本机仅限当前用户的浏览器配置中，Livedesk 不会接触密码。</translation>
    </message>
    <message>
        <source>A file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB; used from the next session (--db overrides it).</source>
        <translation>文件路径、sqlite:///文件 或 postgresql+psycopg://用户@主机/库；下一场起生效（--db 优先）。</translation>
    </message>
    <message>
        <source>A flash sale is already running on this product</source>
        <translation>该商品已有秒杀进行中</translation>
    </message>
    <message>
        <source>A session with this id is already in the library:</source>
        <translation>库中已有相同编号的场次：</translation>
    </message>
    <message>
        <source>AUTO off</source>
        <translation>自动 关</translation>
    </message>
    <message>
        <source>AUTO on</source>
        <translation>自动 开</translation>
    </message>
    <message>
        <source>AUTO paused</source>
        <translation>自动 暂停</translation>
    </message>
    <message>
        <source>About Livedesk</source>
        <translation>关于 Livedesk</translation>
    </message>
    <message>
        <source>About Livedesk…</source>
        <translation>关于 Livedesk…</translation>
    </message>
    <message>
        <source>Acknowledge the operator's cue</source>
        <translation>确认中控的提示</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Active alerts</source>
        <translation>当前告警</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>动态</translation>
    </message>
    <message>
        <source>Add product</source>
        <translation>添加商品</translation>
    </message>
    <message>
        <source>Add this many units to the available stock</source>
        <translation>在可售库存上增加这么多件</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Advanced to</source>
        <translation>已切换到</translation>
    </message>
    <message>
        <source>Advertising law</source>
        <translation>广告法</translation>
    </message>
    <message>
        <source>Advertising law (广告法): {terms}; this cannot be sent</source>
        <translation>广告法违禁词：{terms}；无法发送</translation>
    </message>
    <message>
        <source>Advertising-law check</source>
        <translation>广告法违禁词检查</translation>
    </message>
    <message>
        <source>After-sales</source>
        <translation>售后</translation>
    </message>
    <message>
        <source>Age of these figures: time since the feed last sent data</source>
        <translation>这些数字的时效：距离数据源上次发来数据的时间</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Alert settings</source>
        <translation>告警设置</translation>
    </message>
    <message>
        <source>Alert thresholds…</source>
        <translation>告警阈值…</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>An internal error occurred</source>
        <translation>发生内部错误</translation>
    </message>
    <message>
        <source>Any event</source>
        <translation>任意事件</translation>
    </message>
    <message>
        <source>Apply to session</source>
        <translation>应用到直播</translation>
    </message>
    <message>
        <source>Apply to show</source>
        <translation>同步到直播</translation>
    </message>
    <message>
        <source>Auto-reply</source>
        <translation>自动回复</translation>
    </message>
    <message>
        <source>Automatic (the last screen)</source>
        <translation>自动（最后一块屏幕）</translation>
    </message>
    <message>
        <source>Automatic actions</source>
        <translation>自动操作</translation>
    </message>
    <message>
        <source>Automation</source>
        <translation>自动化</translation>
    </message>
    <message>
        <source>Automation held back</source>
        <translation>自动化已拦截</translation>
    </message>
    <message>
        <source>Automation is off; switch it on in the Automation panel</source>
        <translation>自动化未开启；请在“自动化”面板中开启</translation>
    </message>
    <message>
        <source>Automation on for this session</source>
        <translation>本场开启自动化</translation>
    </message>
    <message>
        <source>Automation paused</source>
        <translation>自动化已暂停</translation>
    </message>
    <message>
        <source>Automation resumed</source>
        <translation>自动化已恢复</translation>
    </message>
    <message>
        <source>Automation rules applied</source>
        <translation>自动化规则已应用</translation>
    </message>
    <message>
        <source>Avg order value</source>
        <translation>客单价</translation>
    </message>
    <message>
        <source>Banned phrases</source>
        <translation>禁用语</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Built-in simulator (rehearsal, no real viewers)</source>
        <translation>内置模拟器（彩排，无真实观众）</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <source>Buyers</source>
        <translation>成交</translation>
    </message>
    <message>
        <source>CTR/CTOR drop by (%)</source>
        <translation>点击率/转化率下降（%）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Card push</source>
        <translation>弹讲解</translation>
    </message>
    <message>
        <source>Card re-pop</source>
        <translation>讲解卡重弹</translation>
    </message>
    <message>
        <source>Cautions</source>
        <translation>注意事项</translation>
    </message>
    <message>
        <source>Choose a show plan</source>
        <translation>选择直播脚本</translation>
    </message>
    <message>
        <source>Clear card</source>
        <translation>取消讲解</translation>
    </message>
    <message>
        <source>Click a comment to pin, reply or send it to the host</source>
        <translation>点击评论可置顶、回复或推给主播</translation>
    </message>
    <message>
        <source>Click-to-order rate</source>
        <translation>点击-成交转化率</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close replay</source>
        <translation>关闭回放</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>Connected to OBS</source>
        <translation>已连接 OBS</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Connection to the feed {target} lost.</source>
        <translation>与数据源 {target} 的连接已断开。</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>中控台</translation>
    </message>
    <message>
        <source>Control console for brand self-broadcast live commerce.</source>
        <translation>品牌自播直播中控台。</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy remote prompter command</source>
        <translation>复制远程提词器命令</translation>
    </message>
    <message>
        <source>Could not read the sessions</source>
        <translation>无法读取场次列表</translation>
    </message>
    <message>
        <source>Coupon: {coupon}</source>
        <translation>优惠券：{coupon}</translation>
    </message>
    <message>
        <source>Cue cards</source>
        <translation>手卡</translation>
    </message>
    <message>
        <source>Cue host</source>
        <translation>提示主播</translation>
    </message>
    <message>
        <source>Cues</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Data stale after (s)</source>
        <translation>数据超时（秒）</translation>
    </message>
    <message>
        <source>Deal price</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>Delete session</source>
        <translation>删除场次</translation>
    </message>
    <message>
        <source>Delete the recording of this session? This cannot be undone.</source>
        <translation>删除该场次的录制？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Digit keys push by position; choose another key</source>
        <translation>数字键用于按位置弹讲解，请换一个键</translation>
    </message>
    <message>
        <source>Discard the unsaved changes?</source>
        <translation>放弃未保存的修改？</translation>
    </message>
    <message>
        <source>Do not say</source>
        <translation>禁用语</translation>
    </message>
    <message>
        <source>Duplicate product</source>
        <translation>复制商品</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Each column goes to the plan field chosen above it. Columns marked ? have a header Livedesk does not know: choose their field or leave them ignored. Your choices are remembered for the next sheet.</source>
        <translation>每一列导入到上方所选的脚本字段。标有 ? 的列表头无法识别：请选择对应字段，或保持忽略。你的选择会被记住，下次导入时自动使用。</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit cue cards</source>
        <translation>编辑手卡</translation>
    </message>
    <message>
        <source>Edit plan…</source>
        <translation>编辑脚本…</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>End and start new</source>
        <translation>结束并开新场</translation>
    </message>
    <message>
        <source>End flash sale</source>
        <translation>结束秒杀</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>结束直播</translation>
    </message>
    <message>
        <source>End session and quit</source>
        <translation>结束直播并退出</translation>
    </message>
    <message>
        <source>End session…</source>
        <translation>结束直播…</translation>
    </message>
    <message>
        <source>End the flash sale now?</source>
        <translation>现在结束秒杀？</translation>
    </message>
    <message>
        <source>End the live session and start a new one?</source>
        <translation>结束本场直播并开始新的一场？</translation>
    </message>
    <message>
        <source>End the running flash sale…</source>
        <translation>结束进行中的秒杀…</translation>
    </message>
    <message>
        <source>End this flash sale now (asks first)</source>
        <translation>立即结束这场秒杀（会先确认）</translation>
    </message>
    <message>
        <source>End this live session now?</source>
        <translation>现在结束本场直播？</translation>
    </message>
    <message>
        <source>Enter the OBS address</source>
        <translation>请输入 OBS 地址</translation>
    </message>
    <message>
        <source>Enter the feed URL (ws://host:port or wss://…)</source>
        <translation>请输入数据源地址（ws://主机:端口 或 wss://…）</translation>
    </message>
    <message>
        <source>Entered (viewers)</source>
        <translation>进入(观看)</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>Every row can be read.</source>
        <translation>所有行均可读取。</translation>
    </message>
    <message>
        <source>Export CSV (zip)…</source>
        <translation>导出 CSV（zip）…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Export XLSX…</source>
        <translation>导出 XLSX…</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Export printable HTML…</source>
        <translation>导出可打印 HTML…</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>Export run of show (PDF)…</source>
        <translation>导出主播手卡 (PDF)…</translation>
    </message>
    <message>
        <source>Export session</source>
        <translation>导出场次</translation>
    </message>
    <message>
        <source>Export to XLSX…</source>
        <translation>导出为 XLSX…</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>F8 pauses or resumes automation</source>
        <translation>F8 暂停或恢复自动化</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Falling behind the feed by about {n} events ({s:.1f} s); catching up</source>
        <translation>处理跟不上数据：落后约 {n} 条（{s:.1f} 秒），正在追赶</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>Feed connection lost ({state})</source>
        <translation>数据连接中断（{state}）</translation>
    </message>
    <message>
        <source>Feed status</source>
        <translation>数据源状态</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Figures on screen are {n} s old.</source>
        <translation>屏幕上的数字是 {n} 秒前的。</translation>
    </message>
    <message>
        <source>Fix the plan's problems before exporting it.</source>
        <translation>请先修正脚本中的问题再导出。</translation>
    </message>
    <message>
        <source>Flash price {price}</source>
        <translation>秒杀价 {price}</translation>
    </message>
    <message>
        <source>Flash price {price}, {left} left</source>
        <translation>秒杀价 {price}，剩 {left} 件</translation>
    </message>
    <message>
        <source>Flash sale</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>Flash sale ending: {left} s</source>
        <translation>秒杀即将结束：{left} 秒</translation>
    </message>
    <message>
        <source>Flash sale ends in</source>
        <translation>秒杀倒计时</translation>
    </message>
    <message>
        <source>Flash sale on</source>
        <translation>秒杀商品</translation>
    </message>
    <message>
        <source>Flash sale on the product on air (asks first)</source>
        <translation>为讲解中的商品开秒杀（会先确认）</translation>
    </message>
    <message>
        <source>Flash sale on the product on air…</source>
        <translation>为讲解中的商品开秒杀…</translation>
    </message>
    <message>
        <source>Flash stock</source>
        <translation>秒杀库存</translation>
    </message>
    <message>
        <source>Flash stock is more than the stock available</source>
        <translation>秒杀库存超过可售库存</translation>
    </message>
    <message>
        <source>Flash stock left</source>
        <translation>秒杀库存剩余</translation>
    </message>
    <message>
        <source>Flash-sale minutes</source>
        <translation>秒杀时长(分钟)</translation>
    </message>
    <message>
        <source>Flash-sale price</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>Flash-sale stock</source>
        <translation>秒杀库存</translation>
    </message>
    <message>
        <source>Focus cue box</source>
        <translation>聚焦提示输入框</translation>
    </message>
    <message>
        <source>Focus inventory</source>
        <translation>聚焦库存</translation>
    </message>
    <message>
        <source>Focus run of show</source>
        <translation>聚焦直播脚本</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>Free text cue, Enter to send</source>
        <translation>自定义提示，回车发送</translation>
    </message>
    <message>
        <source>Funnel</source>
        <translation>转化漏斗</translation>
    </message>
    <message>
        <source>GMV</source>
        <translation>成交金额</translation>
    </message>
    <message>
        <source>GMV / min</source>
        <translation>每分钟成交金额</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Held back</source>
        <translation>已拦截</translation>
    </message>
    <message>
        <source>Host (call to action)</source>
        <translation>主播（促单话术）</translation>
    </message>
    <message>
        <source>Hotkeys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Ignore rooms below (viewers)</source>
        <translation>在线低于此数忽略</translation>
    </message>
    <message>
        <source>Image URL</source>
        <translation>商品图片链接</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Import a sheet</source>
        <translation>导入表格</translation>
    </message>
    <message>
        <source>Import it again as a copy under a new id?</source>
        <translation>以新编号再导入一份副本？</translation>
    </message>
    <message>
        <source>Import products from the live session</source>
        <translation>从直播间导入商品</translation>
    </message>
    <message>
        <source>Import session</source>
        <translation>导入场次</translation>
    </message>
    <message>
        <source>Import sheet</source>
        <translation>导入表格</translation>
    </message>
    <message>
        <source>Import sheet (XLSX/CSV)…</source>
        <translation>导入表格 (XLSX/CSV)…</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Impression-to-entry rate</source>
        <translation>曝光-进入率</translation>
    </message>
    <message>
        <source>Integration</source>
        <translation>联动</translation>
    </message>
    <message>
        <source>Inventory</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Keys 1-9 push the card at that position</source>
        <translation>数字键 1-9 弹出对应位置的讲解卡</translation>
    </message>
    <message>
        <source>Keyword auto-reply</source>
        <translation>关键词自动回复</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Kind of event the step buttons jump to</source>
        <translation>前后跳转的事件类型</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Last action</source>
        <translation>上次操作</translation>
    </message>
    <message>
        <source>Last cue</source>
        <translation>上条提示</translation>
    </message>
    <message>
        <source>Last held back</source>
        <translation>上次拦截</translation>
    </message>
    <message>
        <source>Leave or enter full screen</source>
        <translation>退出或进入全屏</translation>
    </message>
    <message>
        <source>Limit per buyer</source>
        <translation>每人限购</translation>
    </message>
    <message>
        <source>Limit {n} per buyer</source>
        <translation>每人限购 {n} 件</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>划线价</translation>
    </message>
    <message>
        <source>Live console</source>
        <translation>直播中控台</translation>
    </message>
    <message>
        <source>Live feed URL</source>
        <translation>直播数据源地址</translation>
    </message>
    <message>
        <source>Live session: %1 added, %2 updated</source>
        <translation>直播间商品：新增 %1，更新 %2</translation>
    </message>
    <message>
        <source>Live-commerce control console</source>
        <translation>直播电商中控台</translation>
    </message>
    <message>
        <source>Livedesk disconnects from the feed and closes the recording; the window stays open on the final figures.</source>
        <translation>Livedesk 断开数据源并结束录制；窗口保留，显示最终数据。</translation>
    </message>
    <message>
        <source>Livedesk prompter</source>
        <translation>Livedesk 提词器</translation>
    </message>
    <message>
        <source>Loading the graphs…</source>
        <translation>正在加载图表…</translation>
    </message>
    <message>
        <source>Log file:</source>
        <translation>日志文件：</translation>
    </message>
    <message>
        <source>Low stock below (% of the most stock)</source>
        <translation>低库存比例（占最高库存 %）</translation>
    </message>
    <message>
        <source>Low stock below (units)</source>
        <translation>低库存件数</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Message sent</source>
        <translation>消息已发送</translation>
    </message>
    <message>
        <source>Min clicks</source>
        <translation>最少点击数</translation>
    </message>
    <message>
        <source>Min impressions</source>
        <translation>最少曝光数</translation>
    </message>
    <message>
        <source>Mirror</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Move product</source>
        <translation>移动商品</translation>
    </message>
    <message>
        <source>Move the selected card</source>
        <translation>移动所选商品</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>NEXT</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>New plan</source>
        <translation>新建脚本</translation>
    </message>
    <message>
        <source>New product</source>
        <translation>新商品</translation>
    </message>
    <message>
        <source>New session</source>
        <translation>新的一场</translation>
    </message>
    <message>
        <source>New session…</source>
        <translation>新的一场…</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Next card soon</source>
        <translation>即将切换讲解卡</translation>
    </message>
    <message>
        <source>Next card soon: {title}</source>
        <translation>即将切换：{title}</translation>
    </message>
    <message>
        <source>Next event of this kind (Right)</source>
        <translation>下一个同类事件（→）</translation>
    </message>
    <message>
        <source>No banned terms</source>
        <translation>未发现违禁词</translation>
    </message>
    <message>
        <source>No card is on air</source>
        <translation>当前没有讲解中的商品</translation>
    </message>
    <message>
        <source>No card on air</source>
        <translation>当前没有讲解卡</translation>
    </message>
    <message>
        <source>No commands sent yet</source>
        <translation>尚未发送指令</translation>
    </message>
    <message>
        <source>No comments match</source>
        <translation>没有符合条件的评论</translation>
    </message>
    <message>
        <source>No comments yet</source>
        <translation>暂无评论</translation>
    </message>
    <message>
        <source>No data for {s:.0f} s</source>
        <translation>数据已 {s:.0f} 秒未更新</translation>
    </message>
    <message>
        <source>No data from the feed {target} for {n} s; the figures are not live.</source>
        <translation>数据源 {target} 已 {n} 秒没有数据；数字不是实时的。</translation>
    </message>
    <message>
        <source>No data has arrived yet.</source>
        <translation>尚未收到任何数据。</translation>
    </message>
    <message>
        <source>No more events of this kind</source>
        <translation>没有更多同类事件</translation>
    </message>
    <message>
        <source>No password stored (OBS without authentication)</source>
        <translation>未保存密码（适用于不需要认证的 OBS）</translation>
    </message>
    <message>
        <source>No plan: the run of show comes from the feed only</source>
        <translation>无脚本：排品仅来自数据源</translation>
    </message>
    <message>
        <source>No product to start a flash sale on</source>
        <translation>没有可开秒杀的商品</translation>
    </message>
    <message>
        <source>No show plan to save</source>
        <translation>没有可保存的直播脚本</translation>
    </message>
    <message>
        <source>No such session</source>
        <translation>找不到该场次</translation>
    </message>
    <message>
        <source>No system keyring: the OBS password cannot be stored (see docs/plugins.md)</source>
        <translation>没有可用的系统钥匙串：无法保存 OBS 密码（见 docs/plugins.md）</translation>
    </message>
    <message>
        <source>Not connected to the feed {target}.</source>
        <translation>未连接到数据源 {target}。</translation>
    </message>
    <message>
        <source>Not connected: the feed {target} is closed.</source>
        <translation>未连接：数据源 {target} 已关闭。</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <source>Not the product on air</source>
        <translation>不是正在讲解的商品</translation>
    </message>
    <message>
        <source>Not valid YAML</source>
        <translation>YAML 格式错误</translation>
    </message>
    <message>
        <source>OBS connection</source>
        <translation>OBS 连接</translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation>讲解中</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Offer and host (price, closing, trust)</source>
        <translation>货品与主播（价格、逼单、信任）</translation>
    </message>
    <message>
        <source>Offer mechanics</source>
        <translation>福利机制</translation>
    </message>
    <message>
        <source>On air (never while typing in a text field)</source>
        <translation>直播操作（在输入框中输入时不生效）</translation>
    </message>
    <message>
        <source>On-air keys never act while you type in a text field.</source>
        <translation>在输入框中输入时，直播操作快捷键不会生效。</translation>
    </message>
    <message>
        <source>Online baseline window (s)</source>
        <translation>在线基线窗口（秒）</translation>
    </message>
    <message>
        <source>Online viewers</source>
        <translation>在线人数</translation>
    </message>
    <message>
        <source>Online viewers down {drop:.0%}: {now} (about {base:.0f} before)</source>
        <translation>在线人数下降 {drop:.0%}：{now}（此前约 {base:.0f}）</translation>
    </message>
    <message>
        <source>Online viewers drop by (%)</source>
        <translation>在线人数下降（%）</translation>
    </message>
    <message>
        <source>Online viewers dropping: {now}</source>
        <translation>在线人数下降：{now}</translation>
    </message>
    <message>
        <source>Only comments asking about size, price, shipping, stock or after-sales</source>
        <translation>只看询问尺码、价格、发货、库存或售后的评论</translation>
    </message>
    <message>
        <source>Only {n} left</source>
        <translation>库存只剩 {n}</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <source>Open plan…</source>
        <translation>打开脚本…</translation>
    </message>
    <message>
        <source>Open prompt panel</source>
        <translation>打开提词器</translation>
    </message>
    <message>
        <source>Open replay</source>
        <translation>打开回放</translation>
    </message>
    <message>
        <source>Open the plan editor: write the plan, or import it from an Excel sheet</source>
        <translation>打开脚本编辑器：编写直播脚本，或从 Excel 表格导入</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>已打开</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>运营</translation>
    </message>
    <message>
        <source>Operator (cover, traffic, card visibility)</source>
        <translation>运营（封面、流量、讲解卡曝光）</translation>
    </message>
    <message>
        <source>Operator: </source>
        <translation>运营：</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>成交订单</translation>
    </message>
    <message>
        <source>Orders / min</source>
        <translation>每分钟订单</translation>
    </message>
    <message>
        <source>Orders/min</source>
        <translation>每分钟订单</translation>
    </message>
    <message>
        <source>P&amp;lan</source>
        <translation>脚本(&amp;L)</translation>
    </message>
    <message>
        <source>Panel</source>
        <translation>面板</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password stored in the system keyring</source>
        <translation>密码已保存在系统钥匙串中</translation>
    </message>
    <message>
        <source>Pause (F8)</source>
        <translation>暂停 (F8)</translation>
    </message>
    <message>
        <source>Pause or resume automation</source>
        <translation>暂停/恢复自动化</translation>
    </message>
    <message>
        <source>Pause or resume scrolling</source>
        <translation>暂停或继续滚动</translation>
    </message>
    <message>
        <source>Paying buyers</source>
        <translation>成交人数</translation>
    </message>
    <message>
        <source>Peak online</source>
        <translation>在线峰值</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Pin comment</source>
        <translation>置顶评论</translation>
    </message>
    <message>
        <source>Pin sent</source>
        <translation>已发送置顶</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Pitch lines</source>
        <translation>话术</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Plan editor</source>
        <translation>脚本编辑器</translation>
    </message>
    <message>
        <source>Plan editor…</source>
        <translation>脚本编辑器…</translation>
    </message>
    <message>
        <source>Plan not saved</source>
        <translation>脚本未保存</translation>
    </message>
    <message>
        <source>Plan saved</source>
        <translation>脚本已保存</translation>
    </message>
    <message>
        <source>Planned minutes</source>
        <translation>讲解时长(分钟)</translation>
    </message>
    <message>
        <source>Planned time is up</source>
        <translation>计划时长已到</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation>播放/暂停（空格）</translation>
    </message>
    <message>
        <source>Playback speed ([ and ] change it)</source>
        <translation>播放速度（[ 和 ] 调整）</translation>
    </message>
    <message>
        <source>Plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>Plugin disabled</source>
        <translation>插件已停用</translation>
    </message>
    <message>
        <source>Plugin started</source>
        <translation>插件已启动</translation>
    </message>
    <message>
        <source>Plugin stopped</source>
        <translation>插件已停止</translation>
    </message>
    <message>
        <source>Plugins</source>
        <translation>插件</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Prev</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Previous event of this kind (Left)</source>
        <translation>上一个同类事件（←）</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>到手价</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Product click rate</source>
        <translation>商品点击率</translation>
    </message>
    <message>
        <source>Product clicks</source>
        <translation>商品点击</translation>
    </message>
    <message>
        <source>Product clicks / min</source>
        <translation>每分钟商品点击</translation>
    </message>
    <message>
        <source>Product impression rate</source>
        <translation>商品曝光率</translation>
    </message>
    <message>
        <source>Product impressions</source>
        <translation>商品曝光</translation>
    </message>
    <message>
        <source>Prompt panel</source>
        <translation>提词器</translation>
    </message>
    <message>
        <source>Prompter screen</source>
        <translation>提词器屏幕</translation>
    </message>
    <message>
        <source>Push card</source>
        <translation>弹讲解</translation>
    </message>
    <message>
        <source>Push for orders</source>
        <translation>催单</translation>
    </message>
    <message>
        <source>Push next card</source>
        <translation>弹下一个讲解</translation>
    </message>
    <message>
        <source>Push previous card</source>
        <translation>弹上一个讲解</translation>
    </message>
    <message>
        <source>Push the card at that position</source>
        <translation>弹出该位置的讲解卡</translation>
    </message>
    <message>
        <source>Push the selected card</source>
        <translation>弹出所选讲解卡</translation>
    </message>
    <message>
        <source>Push the selected card (or double-click); keys 1-9 push by position</source>
        <translation>弹出所选商品讲解卡（或双击）；数字键 1-9 按位置弹讲解</translation>
    </message>
    <message>
        <source>Pushed (who)</source>
        <translation>弹讲解记录（操作者）</translation>
    </message>
    <message>
        <source>Put the link up</source>
        <translation>上链接</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Quick replies; {product}, {price}, {stock}, {link_no} … are filled in from the session</source>
        <translation>快捷回复；{product}、{price}、{stock}、{link_no} 等按当前直播自动填写</translation>
    </message>
    <message>
        <source>Quick reply…</source>
        <translation>快捷回复…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Quit (asks while live)</source>
        <translation>退出（直播中会先确认）</translation>
    </message>
    <message>
        <source>Rate window (min)</source>
        <translation>转化率窗口（分钟）</translation>
    </message>
    <message>
        <source>Rate/min</source>
        <translation>每分钟销量</translation>
    </message>
    <message>
        <source>Re&amp;port</source>
        <translation>报告(&amp;P)</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Reason: {reason}.</source>
        <translation>原因：{reason}。</translation>
    </message>
    <message>
        <source>Reconnecting (attempt {n})…</source>
        <translation>正在重连（第 {n} 次）…</translation>
    </message>
    <message>
        <source>Recording database</source>
        <translation>录制数据库</translation>
    </message>
    <message>
        <source>Recordings:</source>
        <translation>录制数据库：</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Remote prompter</source>
        <translation>远程提词器</translation>
    </message>
    <message>
        <source>Remote prompter: off</source>
        <translation>远程提词器：未开启</translation>
    </message>
    <message>
        <source>Remove product</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Replay</source>
        <translation>回放</translation>
    </message>
    <message>
        <source>Reply sent</source>
        <translation>回复已发送</translation>
    </message>
    <message>
        <source>Reply to comments</source>
        <translation>回复评论</translation>
    </message>
    <message>
        <source>Reply to the room, Enter to send</source>
        <translation>发送到直播间，回车发送</translation>
    </message>
    <message>
        <source>Reply to {nick}, Enter to send</source>
        <translation>回复 {nick}，回车发送</translation>
    </message>
    <message>
        <source>Report failed</source>
        <translation>报告生成失败</translation>
    </message>
    <message>
        <source>Report written</source>
        <translation>报告已生成</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <source>Restock</source>
        <translation>补库存</translation>
    </message>
    <message>
        <source>Restore default keys</source>
        <translation>恢复默认按键</translation>
    </message>
    <message>
        <source>Resume (F8)</source>
        <translation>恢复 (F8)</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>直播间</translation>
    </message>
    <message>
        <source>Room impressions</source>
        <translation>直播间曝光</translation>
    </message>
    <message>
        <source>Row %n</source>
        <translation>第 %n 行</translation>
    </message>
    <message>
        <source>Rules and templates</source>
        <translation>规则与模板</translation>
    </message>
    <message>
        <source>Run of show</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>Run-of-show timer</source>
        <translation>排品计时</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Runtime:</source>
        <translation>运行环境：</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU/货号</translation>
    </message>
    <message>
        <source>SOLD OUT</source>
        <translation>售罄</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save and reconnect</source>
        <translation>保存并重新连接</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save plan as…</source>
        <translation>脚本另存为…</translation>
    </message>
    <message>
        <source>Save the changes to the plan before closing?</source>
        <translation>关闭前保存对脚本的修改吗？</translation>
    </message>
    <message>
        <source>Scheduled messages</source>
        <translation>定时发言</translation>
    </message>
    <message>
        <source>Screen</source>
        <translation>屏幕</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Scroll speed</source>
        <translation>滚动速度</translation>
    </message>
    <message>
        <source>Search comments or nicks</source>
        <translation>搜索评论或昵称</translation>
    </message>
    <message>
        <source>Search title, room, date or id</source>
        <translation>搜索标题、直播间、日期或编号</translation>
    </message>
    <message>
        <source>Sell-out ETA</source>
        <translation>预计售罄</translation>
    </message>
    <message>
        <source>Sell-out within (min)</source>
        <translation>预计售罄（分钟内）</translation>
    </message>
    <message>
        <source>Selling points</source>
        <translation>卖点</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send comment</source>
        <translation>发评论</translation>
    </message>
    <message>
        <source>Send the edited cue card to the prompt panel</source>
        <translation>把编辑后的手卡发送到提词器</translation>
    </message>
    <message>
        <source>Send the edited cue card to the prompt panel (Ctrl+Return)</source>
        <translation>把修改后的手卡发送到提词器（Ctrl+回车）</translation>
    </message>
    <message>
        <source>Send the products added or changed to the live session (recorded in the session log)</source>
        <translation>把新增或修改的商品同步到正在进行的直播（记录在场次日志中）</translation>
    </message>
    <message>
        <source>Send to host</source>
        <translation>推给主播</translation>
    </message>
    <message>
        <source>Sent to the prompt panel</source>
        <translation>已推送到提词器</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>场次</translation>
    </message>
    <message>
        <source>Session ended: the recording is closed</source>
        <translation>直播已结束：录制已关闭</translation>
    </message>
    <message>
        <source>Session library</source>
        <translation>场次库</translation>
    </message>
    <message>
        <source>Session library…</source>
        <translation>场次库…</translation>
    </message>
    <message>
        <source>Session title</source>
        <translation>直播标题</translation>
    </message>
    <message>
        <source>Set available stock for this product</source>
        <translation>设置该商品可售库存</translation>
    </message>
    <message>
        <source>Set stock</source>
        <translation>设置库存</translation>
    </message>
    <message>
        <source>Set the available stock to N, or add N to it</source>
        <translation>把可售库存设为 N，或增加 N</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <source>Sheets</source>
        <translation>表格</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>发货</translation>
    </message>
    <message>
        <source>Show alerts</source>
        <translation>显示告警</translation>
    </message>
    <message>
        <source>Show plan (run of show)</source>
        <translation>直播脚本（排品）</translation>
    </message>
    <message>
        <source>Show plans</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>Show the Douyin browser window</source>
        <translation>显示抖音浏览器窗口</translation>
    </message>
    <message>
        <source>Simulator autopilot: pushes cards and starts flash sales by itself (steps aside after your own push)</source>
        <translation>模拟器自动驾驶：自动弹讲解、开秒杀（你手动弹讲解后会暂停）</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺码</translation>
    </message>
    <message>
        <source>Sound on new warnings</source>
        <translation>新告警时响铃</translation>
    </message>
    <message>
        <source>Sounds</source>
        <translation>声音</translation>
    </message>
    <message>
        <source>Space / Enter</source>
        <translation>空格 / 回车</translation>
    </message>
    <message>
        <source>Space / Enter = got it</source>
        <translation>空格/回车 = 收到</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Start a flash sale</source>
        <translation>开始秒杀</translation>
    </message>
    <message>
        <source>Start a live session</source>
        <translation>开始直播场次</translation>
    </message>
    <message>
        <source>Start flash sale</source>
        <translation>开始秒杀</translation>
    </message>
    <message>
        <source>Start session</source>
        <translation>开始直播</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>跳转</translation>
    </message>
    <message>
        <source>Step a page (foot pedals)</source>
        <translation>翻一页（脚踏板）</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Stock allotted</source>
        <translation>备货库存</translation>
    </message>
    <message>
        <source>Stock left</source>
        <translation>剩余库存</translation>
    </message>
    <message>
        <source>Stock-out</source>
        <translation>售罄</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Suggestion</source>
        <translation>建议替换</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Take card off air</source>
        <translation>取消讲解</translation>
    </message>
    <message>
        <source>Take card off air (asks first)</source>
        <translation>取消讲解（会先确认）</translation>
    </message>
    <message>
        <source>Take card off air…</source>
        <translation>取消讲解…</translation>
    </message>
    <message>
        <source>Take off air</source>
        <translation>取消讲解</translation>
    </message>
    <message>
        <source>Take the card off air (asks first)</source>
        <translation>取消讲解卡（会先确认）</translation>
    </message>
    <message>
        <source>Take this card off air?</source>
        <translation>取消这个讲解卡？</translation>
    </message>
    <message>
        <source>Talk about the perks</source>
        <translation>讲福利</translation>
    </message>
    <message>
        <source>The Douyin connector could not start</source>
        <translation>抖音连接无法启动</translation>
    </message>
    <message>
        <source>The automation section must be a mapping</source>
        <translation>automation 部分必须是映射</translation>
    </message>
    <message>
        <source>The deal price must be above 0 and below the price</source>
        <translation>秒杀价必须大于 0 且低于售价</translation>
    </message>
    <message>
        <source>The feed URL has no host</source>
        <translation>数据源地址缺少主机</translation>
    </message>
    <message>
        <source>The feed URL must start with ws:// or wss://</source>
        <translation>数据源地址须以 ws:// 或 wss:// 开头</translation>
    </message>
    <message>
        <source>The feed is disconnected and the recording is closed; viewers keep seeing the platform's live room.</source>
        <translation>将断开数据源并结束录制；观众仍会看到平台上的直播间。</translation>
    </message>
    <message>
        <source>The feed restarted as a new session ({new}). The previous session ({old}) was closed as interrupted and is kept in the library; the plan and run-of-show order carried over.</source>
        <translation>数据源已重启为新场次（{new}）。上一场（{old}）已标记为中断并保留在场次库中；脚本和讲解顺序已沿用。</translation>
    </message>
    <message>
        <source>The feed {target} refused the token.</source>
        <translation>数据源 {target} 拒绝了令牌。</translation>
    </message>
    <message>
        <source>The language changes at the next start.</source>
        <translation>语言在下次启动时生效。</translation>
    </message>
    <message>
        <source>The password was not saved</source>
        <translation>密码未保存</translation>
    </message>
    <message>
        <source>The plan cannot be opened</source>
        <translation>脚本无法打开</translation>
    </message>
    <message>
        <source>The plan cannot be used</source>
        <translation>脚本无法使用</translation>
    </message>
    <message>
        <source>The plan is valid and passes the advertising-law check.</source>
        <translation>脚本有效，并通过广告法检查。</translation>
    </message>
    <message>
        <source>The plan is valid.</source>
        <translation>脚本有效。</translation>
    </message>
    <message>
        <source>The plan was not saved</source>
        <translation>脚本未保存</translation>
    </message>
    <message>
        <source>The plan was not saved: fix these problems first.</source>
        <translation>脚本未保存：请先修正以下问题。</translation>
    </message>
    <message>
        <source>The plan's automation: section (YAML)</source>
        <translation>脚本中的 automation: 部分（YAML）</translation>
    </message>
    <message>
        <source>The session is live. Quit and end the recording?</source>
        <translation>正在直播。要退出并结束录制吗？</translation>
    </message>
    <message>
        <source>The sheet cannot be read</source>
        <translation>无法读取表格</translation>
    </message>
    <message>
        <source>The simulator needs a show plan: choose a plan file</source>
        <translation>模拟器需要直播脚本：请选择脚本文件</translation>
    </message>
    <message>
        <source>This template needs {{{name}}}, which the session does not have now</source>
        <translation>该模板需要 {{{name}}}，当前直播没有此数据</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Time is up soon</source>
        <translation>时间快到</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间轴</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Two actions have the same key</source>
        <translation>两个操作用了同一个按键</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>UV value</source>
        <translation>UV价值</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo reorder</source>
        <translation>撤销排序</translation>
    </message>
    <message>
        <source>Units; Enter applies</source>
        <translation>件数；回车生效</translation>
    </message>
    <message>
        <source>Untitled plan</source>
        <translation>未命名脚本</translation>
    </message>
    <message>
        <source>Upgrading the recordings database (only once)…</source>
        <translation>正在升级录制数据库（仅此一次）…</translation>
    </message>
    <message>
        <source>Use a SQLite file, sqlite:///FILE or postgresql+psycopg://…</source>
        <translation>请填 SQLite 文件、sqlite:///文件 或 postgresql+psycopg://…</translation>
    </message>
    <message>
        <source>View-to-pay</source>
        <translation>观看-成交率</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>观众</translation>
    </message>
    <message>
        <source>Viewer asks</source>
        <translation>观众提问</translation>
    </message>
    <message>
        <source>Viewers no longer see the explanation card.</source>
        <translation>观众将不再看到讲解卡。</translation>
    </message>
    <message>
        <source>Waiting for the first product card…</source>
        <translation>等待第一个讲解商品…</translation>
    </message>
    <message>
        <source>Weakest step</source>
        <translation>最弱环节</translation>
    </message>
    <message>
        <source>Weakest step: waiting for traffic</source>
        <translation>最弱环节：等待流量数据</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Writing report…</source>
        <translation>正在生成报告…</translation>
    </message>
    <message>
        <source>add</source>
        <translation>增加</translation>
    </message>
    <message>
        <source>advertising law (广告法): {terms}</source>
        <translation>广告法违禁词：{terms}</translation>
    </message>
    <message>
        <source>alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>an older recording: its operator and alert times were put on the feed's clock</source>
        <translation>旧版录制：运营操作和告警的时间已校正到数据源的时钟</translation>
    </message>
    <message>
        <source>attempt</source>
        <translation>第几次</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>auto-advance</source>
        <translation>自动切换</translation>
    </message>
    <message>
        <source>automation</source>
        <translation>自动规则</translation>
    </message>
    <message>
        <source>benchmark</source>
        <translation>基准</translation>
    </message>
    <message>
        <source>by</source>
        <translation>来自</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>card push</source>
        <translation>弹讲解</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <source>created</source>
        <translation>已下单</translation>
    </message>
    <message>
        <source>data age</source>
        <translation>数据延迟</translation>
    </message>
    <message>
        <source>default: livedesk.db in the user data folder</source>
        <translation>默认：用户数据目录下的 livedesk.db</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>double-click</source>
        <translation>双击</translation>
    </message>
    <message>
        <source>empty text</source>
        <translation>内容为空</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>events/s</source>
        <translation>事件/秒</translation>
    </message>
    <message>
        <source>every {n} s</source>
        <translation>每 {n} 秒</translation>
    </message>
    <message>
        <source>explained</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>falling behind the feed by about {n} events ({s:.1f} s), catching up</source>
        <translation>处理跟不上数据：落后约 {n} 条（{s:.1f} 秒），正在追赶</translation>
    </message>
    <message>
        <source>flash</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>flash sale</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>follower</source>
        <translation>粉丝</translation>
    </message>
    <message>
        <source>header on row %n</source>
        <translation>表头在第 %n 行</translation>
    </message>
    <message>
        <source>held back</source>
        <translation>已拦截</translation>
    </message>
    <message>
        <source>host acknowledged</source>
        <translation>主播已确认</translation>
    </message>
    <message>
        <source>instead of</source>
        <translation>原价</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>interrupted: the feed restarted or the recorder stopped without ending the session</source>
        <translation>已中断：数据源重启，或录制在场次结束前停止</translation>
    </message>
    <message>
        <source>left</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>list</source>
        <translation>划线价</translation>
    </message>
    <message>
        <source>live</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>no live data</source>
        <translation>无实时数据</translation>
    </message>
    <message>
        <source>no message can be sent now (missing values, or only the last one sent)</source>
        <translation>当前没有可发送的消息（缺少数据，或只剩上一条）</translation>
    </message>
    <message>
        <source>not an image</source>
        <translation>不是图片</translation>
    </message>
    <message>
        <source>not recording</source>
        <translation>未录制</translation>
    </message>
    <message>
        <source>on air</source>
        <translation>已讲</translation>
    </message>
    <message>
        <source>one per line</source>
        <translation>每行一条</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>中控</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>ordered</source>
        <translation>已下单</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>plan file (.yaml, .yml or .json)</source>
        <translation>脚本文件（.yaml、.yml 或 .json）</translation>
    </message>
    <message>
        <source>planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>planned minutes</source>
        <translation>计划分钟</translation>
    </message>
    <message>
        <source>platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>products</source>
        <translation>个商品</translation>
    </message>
    <message>
        <source>rate limit: {n} replies a minute</source>
        <translation>频率上限：每分钟 {n} 条回复</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>重连中…</translation>
    </message>
    <message>
        <source>recording</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>recording, follows the end</source>
        <translation>录制中，跟随最新</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>refused: wrong token</source>
        <translation>被拒绝：令牌错误</translation>
    </message>
    <message>
        <source>rephrase</source>
        <translation>改写</translation>
    </message>
    <message>
        <source>replay</source>
        <translation>回放</translation>
    </message>
    <message>
        <source>returning</source>
        <translation>老客</translation>
    </message>
    <message>
        <source>room</source>
        <translation>本号</translation>
    </message>
    <message>
        <source>seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>session</source>
        <translation>本场</translation>
    </message>
    <message>
        <source>session ended</source>
        <translation>直播已结束</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>场次</translation>
    </message>
    <message>
        <source>set to</source>
        <translation>设为</translation>
    </message>
    <message>
        <source>simulator autopilot</source>
        <translation>模拟器自动驾驶</translation>
    </message>
    <message>
        <source>sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <source>sold out</source>
        <translation>售罄</translation>
    </message>
    <message>
        <source>still recording</source>
        <translation>仍在录制</translation>
    </message>
    <message>
        <source>stored in the system keyring</source>
        <translation>保存在系统钥匙串中</translation>
    </message>
    <message>
        <source>units</source>
        <translation>件</translation>
    </message>
    <message>
        <source>warn {n} s before the planned end</source>
        <translation>计划结束前 {n} 秒提醒</translation>
    </message>
    <message>
        <source>{k} rules · at most {n}/min · same text to a buyer once in {t} min</source>
        <translation>{k} 条规则 · 每分钟最多 {n} 条 · 同一买家同一句 {t} 分钟内只发一次</translation>
    </message>
    <message>
        <source>{k} texts every {n} ± {j} s</source>
        <translation>{k} 条 · 每 {n} ± {j} 秒</translation>
    </message>
    <message>
        <source>{n} characters (at most 100)</source>
        <translation>{n} 个字（最多 100）</translation>
    </message>
    <message>
        <source>{n} comments · {q} questions · {r} replies · {m}/min</source>
        <translation>{n} 条评论 · {q} 个问题 · {r} 条回复 · 每分钟 {m}</translation>
    </message>
    <message>
        <source>{n} h old</source>
        <translation>{n} 小时前</translation>
    </message>
    <message>
        <source>{n} min old</source>
        <translation>{n} 分钟前</translation>
    </message>
    <message>
        <source>{n} new</source>
        <translation>{n} 条新评论</translation>
    </message>
    <message>
        <source>{n} s old</source>
        <translation>{n} 秒前</translation>
    </message>
    <message>
        <source>{title} in {n} s</source>
        <translation>{n} 秒后切换到 {title}</translation>
    </message>
    <message>
        <source>{title} is sold out</source>
        <translation>{title} 已售罄</translation>
    </message>
    <message>
        <source>{title} sells out in about {m:.1f} min</source>
        <translation>{title} 预计 {m:.1f} 分钟内售罄</translation>
    </message>
    <message>
        <source>{title}: low stock, {n} left</source>
        <translation>{title} 库存低：剩 {n} 件</translation>
    </message>
    <message>
        <source>{title}: {left} s left of {minutes} min</source>
        <translation>{title}：计划 {minutes} 分钟，还剩 {left} 秒</translation>
    </message>
    <message>
        <source>{what} dropping: {value:.1%}</source>
        <translation>{what}下降：{value:.1%}</translation>
    </message>
    <message>
        <source>{who} put 「{title}」 on air</source>
        <translation>{who}弹出了「{title}」</translation>
    </message>
    <message>
        <source>{who} took the card off air</source>
        <translation>{who}取消了讲解</translation>
    </message>
    <message>
        <source>抖音 Douyin: log in with the shop account</source>
        <translation>抖音：用店铺账号登录</translation>
    </message>
</context>
</TS>
