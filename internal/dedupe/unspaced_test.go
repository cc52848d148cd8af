package dedupe

import "testing"

func TestSplitUnspaced(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"harbour reopens today": "harbour reopens today",
		"город утвердил план":   "город утвердил план",
		"서울 시장 선거":              "서울 시장 선거",
		"央行宣布降息":                "央 行 宣 布 降 息",
		"apple发布了新iphone 15":    "apple 发 布 了 新 iphone 15",
		"東京は晴れ 明日は雨":            "東 京 は 晴 れ 明 日 は 雨",
		"サッカーw杯":                "サ ッ カ ー w 杯",
		"price 5 元":             "price 5 元",
	} {
		if got := splitUnspaced(in); got != want {
			t.Errorf("splitUnspaced(%q) = %q, want %q", in, got, want)
		}
	}
}

// Chinese texts are signed by their characters: before, a run of them
// up to the next punctuation mark was one word, so that a whole news
// brief had a handful of "words", too few to sign, and copies of it on
// two sites never joined one cluster.
const (
	metroBrief = "本市第三条地铁线路今天上午正式开通运营，全长二十四公里，共设十九座车站。" +
		"市交通局表示，新线路将把城东新区与火车站连接起来，高峰时段每四分钟一班。" +
		"首日乘客人数超过八万人次，部分车站出现排队现象。工作人员在各站入口引导乘客有序进站。" +
		"交通局负责人说，明年还将有两条线路开工建设。"
	metroCopy = "本市第三条地铁线路今天上午正式开通运营，全长二十四公里，共设十九座车站。" +
		"市交通局表示，新线路将把城东新区与火车站连接起来，高峰时段每四分钟一班。" +
		"首日乘客人数超过九万人次，部分车站出现排队现象。工作人员在各站入口引导乘客有序进站。" +
		"交通局负责人说，明年还将有两条线路开工建设。（记者 王明）"
	rainBrief = "受强降雨影响，本市多处道路出现积水，部分公交线路临时绕行。" +
		"气象部门今天下午发布暴雨橙色预警，提醒市民减少外出，注意出行安全。" +
		"防汛指挥部已启动应急响应，调派抢险人员和排水设备赶赴积水路段。" +
		"预计降雨将持续到明天早上，局部地区雨量可能超过一百毫米。"
	teaser = "订阅后阅读全文。"
)

func TestChineseNearDuplicates(t *testing.T) {
	if Signable(teaser) {
		t.Errorf("a %d-character teaser is signable", len([]rune(teaser)))
	}
	for _, s := range []string{metroBrief, metroCopy, rainBrief} {
		sig := Sign(s)
		if !Signable(s) || sig.IsZero() {
			t.Errorf("a Chinese brief of %d characters is not signed", len([]rune(s)))
		}
	}
	if j := Jaccard(metroBrief, metroCopy); j < Threshold {
		t.Errorf("the brief and its lightly edited copy: J = %.2f, want ≥ %.2f", j, Threshold)
	}
	if !IsNearDuplicateText(metroBrief, metroCopy) {
		t.Error("the brief and its copy are not near duplicates")
	}
	if j := Jaccard(metroBrief, rainBrief); j > 0.1 {
		t.Errorf("two different briefs: J = %.2f", j)
	}
	if s := Similarity(Sign(metroBrief), Sign(rainBrief)); s >= Threshold {
		t.Errorf("two different briefs: estimated similarity %.2f", s)
	}
}
