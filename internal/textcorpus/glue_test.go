package textcorpus

import (
	"slices"
	"testing"
)

func TestSplitGlued(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"The talks ended on the issue.The spokesman said more.", []string{"The talks ended on the issue.", "The spokesman said more."}},
		{"Делегации покинули столицу.Представитель заявил.", []string{"Делегации покинули столицу.", "Представитель заявил."}},
		{"Is it over?Nobody knows!Not yet.", []string{"Is it over?", "Nobody knows!", "Not yet."}},
		{"He ended talks in 2021.The next round is open.", []string{"He ended talks in 2021.", "The next round is open."}},
		{"It met NATO.The alliance agreed.", []string{"It met NATO.", "The alliance agreed."}},
		{"Three pieces.Two.One.", []string{"Three pieces.", "Two.", "One."}},
		{"Talks with the U.S.The delegation left.", []string{"Talks with the U.S.", "The delegation left."}},
		{"Sanctions on the U.K.In London, officials met.", []string{"Sanctions on the U.K.", "In London, officials met."}},
		{"Made in the U.S.A.They say so.", []string{"Made in the U.S.A.", "They say so."}},
		// quotes and brackets
		{`He said "no."The talks ended.`, []string{`He said "no."`, "The talks ended."}},
		{`The talks ended."We will return," he said.`, []string{"The talks ended.", `"We will return," he said.`}},
		{"He said “no.”The talks ended.", []string{"He said “no.”", "The talks ended."}},
		{"The talks ended.“We will return,” he said.", []string{"The talks ended.", "“We will return,” he said."}},
		{"They left (as planned.)Then rain.", []string{"They left (as planned.)", "Then rain."}},
		{"Il a dit «non.»Puis il est parti.", []string{"Il a dit «non.»", "Puis il est parti."}},
		// not split
		{"The U.S. and the E.U. met.", nil},
		{"The U.S.Army said so.", nil},
		{"J.R.R. Tolkien wrote it.", nil},
		{"J.R.R.Tolkien wrote it.", nil},
		{"The U.S.Theatre reopened.", nil},
		{"Plan B.The rest is known.", nil},
		{"Route U.S.The1 is closed.", nil},
		{"e.g.The one.", nil},
		{"It grew 3.5 per cent.", nil},
		{"See example.com for more.", nil},
		{"Built with Node.js and ASP.NET today.", nil},
		{"Fruit, e.g.Apples, is fine.", nil},
		{"He was No.1 in the list.", nil},
		{"Mr.Smith and Dr.Jones met in St.Petersburg.", nil},
		{"Wait...Then it happened.", nil},
		{"Visit https://example.com/A.Page today.", nil},
		{"Mail desk@example.Com today.", nil},
		{"the issueKremlin spokesman", nil},
		{"The end.", nil},
		{"The end. The start.", nil},
		{"", nil},
		{"Ends with a dot.", nil},
	}
	for _, tt := range tests {
		got := splitGlued(tt.in)
		want := tt.want
		if want == nil {
			want = []string{tt.in}
		}
		if !slices.Equal(got, want) {
			t.Errorf("splitGlued(%q)\n got %q\nwant %q", tt.in, got, want)
		}
	}
}
