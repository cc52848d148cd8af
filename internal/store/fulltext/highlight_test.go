package fulltext

import (
	"testing"

	"github.com/herald-archive/herald/internal/query"
)

func TestSnippet(t *testing.T) {
	long := "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " +
		"sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four " +
		"twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty. The harbour\n\nwall fell. " +
		"More words follow here until the end of the text, which is far away from the harbour."
	tests := []struct {
		q, text, want string
		ok            bool
	}{
		{"harbour", "The harbour wall.", "The \x02harbour\x03 wall.", true},
		{"HARBOUR", "The Harbour wall.", "The \x02Harbour\x03 wall.", true},
		{"cafe", "Le Café, ouvert.", "Le \x02Café\x03, ouvert.", true},
		{"москва", "В Москва снег.", "В \x02Москва\x03 снег.", true},
		{"harb*", "The harbours\n\n  and harbor.", "The \x02harbours\x03 and \x02harbor\x03.", true},
		{`"harbour wall"`, "A harbour wall.", "A \x02harbour\x03 \x02wall\x03.", true},
		{"harbour -wall", "A harbour wall.", "A \x02harbour\x03 wall.", true},
		{"storm", "A harbour wall.", "", false},
		{"wall", long, "…twenty-nine thirty. The harbour \x02wall\x03 fell. More words follow here until the end of the text, which is far away from the harbour.", true},
		// Folded as the index folds: final sigma, Greek tonos kept.
		{"ΣΟΦΟΣ", "ο σοφος είπε", "ο \x02σοφος\x03 είπε", true},
		{"αθηνα", "Στην Αθήνα βρέχει.", "", false},
		{"αθήνα", "Στην Αθήνα βρέχει.", "Στην \x02Αθήνα\x03 βρέχει.", true},
		{"Ⅻ", "Chapter Ⅻ begins.", "Chapter \x02Ⅻ\x03 begins.", true},
		{"one", long, "\x02One\x03 two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-\x02one\x03 twenty-two twenty-three twenty-four twenty-five …", true},
	}
	for _, tt := range tests {
		h := NewHighlighter(query.MustParse(tt.q))
		got, ok := h.snippet(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("snippet(%q, %q) =\n%q, %v\nwant\n%q, %v", tt.q, tt.text, got, ok, tt.want, tt.ok)
		}
	}
	if NewHighlighter(query.MustParse("site:example.com -storm")) != nil {
		t.Error("highlighter for a query without positive words")
	}
}
