package extract

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// TestCharsetUndeclaredLegacy: a page that declares no encoding and is not
// UTF-8 is read in the legacy encoding its words look like. Russian text
// in windows-1251 decodes as windows-1252 into letters too (Совет as
// Ñîâåò), every one of them an accented Latin letter: only ч, Ч and ё do
// not, so a text without them was taken for windows-1252 and stored as
// mojibake. Words made wholly of accented Latin letters are not Western
// European text; Western European text with its accents stays
// windows-1252.
func TestCharsetUndeclaredLegacy(t *testing.T) {
	for _, c := range []struct {
		name, text string
		enc        encoding.Encoding
		want       string
	}{
		{"russian without ч", "Совет обсудил ремонт гавани. Городской совет обсудил ремонт гавани после шторма и новый бюджет на следующий год.", charmap.Windows1251, "windows-1251"},
		{"russian brief", "Мэр открыл новый мост. Движение по мосту откроют в пятницу, сообщили в мэрии.", charmap.Windows1251, "windows-1251"},
		{"russian with ч", "Человек, который чинил часы, рассказал о своей работе в мастерской на улице Чехова.", charmap.Windows1251, "windows-1251"},
		{"russian koi8-r", "Городской совет обсудил ремонт гавани после шторма и новый бюджет.", charmap.KOI8R, "koi8-r"},
		{"japanese half-width katakana", "本日のﾆｭｰｽ: ｿﾌﾄﾊﾞﾝｸがｽﾏｰﾄﾌｫﾝの新ﾓﾃﾞﾙを発表しました. 新しいﾓﾃﾞﾙは来月から全国の店舗で販売される予定で、価格は前のﾓﾃﾞﾙと同じです。", japanese.ShiftJIS, "shift_jis"},
		{"japanese half-width menu", "ﾄｯﾌﾟﾆｭｰｽ ｽﾎﾟｰﾂ ｴﾝﾀﾒ ｹﾞｰﾑ 天気 ﾒﾆｭｰ. 明日の天気は晴れのち曇りで、ｽﾎﾟｰﾂの試合は予定どおり行われます。", japanese.ShiftJIS, "shift_jis"},
		{"french", "Le café du port rouvre ses portes après les travaux de l'hiver dernier; le maire, réélu, a déclaré être très ému.", charmap.Windows1252, "windows-1252"},
		{"german", "Die Brücke über den Fluss wird nächste Woche für Fußgänger geöffnet; größere Schäden gab es nicht.", charmap.Windows1252, "windows-1252"},
		{"portuguese", "A prefeitura informou que a reconstrução da ponte começará após as eleições, com atenção às condições.", charmap.Windows1252, "windows-1252"},
		{"spanish", "El alcalde anunció que la reparación del puerto terminará en diciembre, según la información oficial.", charmap.Windows1252, "windows-1252"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, err := c.enc.NewEncoder().String(c.text)
			if err != nil {
				t.Fatal(err)
			}
			title := strings.SplitN(body, ".", 2)[0]
			page := "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1><p>" + body + "</p></article></body></html>"
			if _, name := Charset([]byte(page), "text/html"); name != c.want {
				t.Errorf("Charset = %s, want %s", name, c.want)
			}
			res, err := Extract([]byte(page), Options{ContentType: "text/html", NoLanguageDetection: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Article.Text != c.text {
				t.Errorf("text = %q, want %q", res.Article.Text, c.text)
			}
		})
	}
}
