<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Livedesk</name>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Active alerts</source>
        <translation>当前告警</translation>
    </message>
    <message>
        <source>Alert settings</source>
        <translation>告警设置</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
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
        <source>Avg order value</source>
        <translation>客单价</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>买家</translation>
    </message>
    <message>
        <source>CTR/CTOR drop (share)</source>
        <translation>点击率/转化率下降比例</translation>
    </message>
    <message>
        <source>Clear card</source>
        <translation>取消讲解</translation>
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
        <source>Flash sale</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>Focus cue box</source>
        <translation>聚焦提示输入框</translation>
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
        <source>Host (call to action)</source>
        <translation>主播（促单话术）</translation>
    </message>
    <message>
        <source>Ignore rooms below (viewers)</source>
        <translation>在线低于此数忽略</translation>
    </message>
    <message>
        <source>Inventory</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Last cue</source>
        <translation>上条提示</translation>
    </message>
    <message>
        <source>Live console</source>
        <translation>直播中控台</translation>
    </message>
    <message>
        <source>Low stock below (share of max)</source>
        <translation>低库存比例</translation>
    </message>
    <message>
        <source>Low stock below (units)</source>
        <translation>低库存件数</translation>
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
        <source>NEXT</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>No commands sent yet</source>
        <translation>尚未发送指令</translation>
    </message>
    <message>
        <source>No flash offer in the plan for this product</source>
        <translation>脚本中该商品没有秒杀机制</translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation>讲解中</translation>
    </message>
    <message>
        <source>Offer and host (price, closing, trust)</source>
        <translation>货品与主播（价格、逼单、信任）</translation>
    </message>
    <message>
        <source>Online baseline window (s)</source>
        <translation>在线基线窗口（秒）</translation>
    </message>
    <message>
        <source>Online drop (share)</source>
        <translation>在线下降比例</translation>
    </message>
    <message>
        <source>Online viewers</source>
        <translation>在线人数</translation>
    </message>
    <message>
        <source>Operator (cover, traffic, card visibility)</source>
        <translation>运营（封面、流量、讲解卡曝光）</translation>
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
        <source>Paying buyers</source>
        <translation>成交人数</translation>
    </message>
    <message>
        <source>Prev</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Product clicks / min</source>
        <translation>每分钟商品点击</translation>
    </message>
    <message>
        <source>Push card</source>
        <translation>弹讲解</translation>
    </message>
    <message>
        <source>Push the selected card (or double-click); keys 1-9 push by position</source>
        <translation>弹出所选商品讲解卡（或双击）；数字键 1-9 按位置弹讲解</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
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
        <source>Reset layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <source>Restock</source>
        <translation>补库存</translation>
    </message>
    <message>
        <source>Run of show</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>SOLD OUT</source>
        <translation>售罄</translation>
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
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Set available stock for this product</source>
        <translation>设置该商品可售库存</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>UV value</source>
        <translation>UV价值</translation>
    </message>
    <message>
        <source>Undo reorder</source>
        <translation>撤销排序</translation>
    </message>
    <message>
        <source>View-to-pay</source>
        <translation>观看-成交率</translation>
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
        <source>alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>attempt</source>
        <translation>第几次</translation>
    </message>
    <message>
        <source>benchmark</source>
        <translation>基准</translation>
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
        <source>created</source>
        <translation>已下单</translation>
    </message>
    <message>
        <source>data age</source>
        <translation>数据延迟</translation>
    </message>
    <message>
        <source>events/s</source>
        <translation>事件/秒</translation>
    </message>
    <message>
        <source>explained</source>
        <translation>讲解</translation>
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
        <source>not recording</source>
        <translation>未录制</translation>
    </message>
    <message>
        <source>on air</source>
        <translation>已讲</translation>
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
        <source>planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>recording</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>sold out</source>
        <translation>售罄</translation>
    </message>
</context>
</TS>
