package crossbackend

import (
	"slices"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store/fulltext"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// TestUnspacedTokens checks that the PostgreSQL backend splits Chinese and
// Japanese characters into words as SQLite's FTS5 tokenizer splits the
// values the SQLite backend gives it (sqlite.FTSText): every Han and kana
// code point between letters, beside itself and with combining marks,
// and mixed texts.
func TestUnspacedTokens(t *testing.T) {
	docs := []string{
		"本市第三条地铁线路今天上午正式开通运营，全长二十四公里。",
		"Apple发布了新iPhone，售价与去年相同。",
		"東京メトロは十日、新しい路線の営業を始めた。ｶﾞｰﾄﾞﾏﾝ",
		"か\u3099き\u309aＡＢＣ漢字１２３É地é铁ñ",
		"「地铁」(地铁)地铁—地铁…地\t铁\n線\u200b路",
		"서울 지하철 개통 地铁 Москва地铁",
	}
	var b strings.Builder
	for r := rune(0x2E80); r <= 0x3FFFF; r++ {
		if !article.Unspaced(r) {
			continue
		}
		b.WriteString("q")
		b.WriteRune(r)
		b.WriteString("z")
		b.WriteRune(r)
		b.WriteRune(r)
		b.WriteString("é\u0301")
		b.WriteRune(r)
		b.WriteString("\u3099 ")
		if b.Len() > 4096 {
			docs = append(docs, b.String())
			b.Reset()
		}
	}
	docs = append(docs, b.String())
	spaced := make([]string, len(docs))
	for i, d := range docs {
		spaced[i] = sqlite.FTSText(d)
	}
	terms := fts5Terms(t, spaced)
	for i, d := range docs {
		want, got := terms[int64(i+1)], fulltext.Words(d)
		if !slices.Equal(got, want) {
			n := 0
			for n < len(got) && n < len(want) && got[n] == want[n] {
				n++
			}
			t.Errorf("document %d: PostgreSQL's words differ from SQLite's at word %d: %q, SQLite %q",
				i, n, got[n:min(n+5, len(got))], want[n:min(n+5, len(want))])
		}
	}
	if len(docs) < 20 {
		t.Fatalf("only %d documents", len(docs))
	}
}
