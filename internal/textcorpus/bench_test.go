package textcorpus

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkRead(b *testing.B) {
	data, err := os.ReadFile("testdata/noisy_talks.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(strings.NewReader(string(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadHostile reads 1 MiB inputs built to defeat the heuristics'
// shortcuts; Read must stay linear in its input.
func BenchmarkReadHostile(b *testing.B) {
	const size = 1 << 20
	fill := func(unit string) string {
		return " date 2022-02-08 https://e.com/a\n\nT\n\n" + strings.Repeat(unit, size/len(unit))
	}
	inputs := map[string]string{
		"glue":       fill("ab.Cd"),
		"no-glue":    fill("x.Ax.A"),
		"url-glue":   fill("ab://.C"),
		"quotes":     fill(`."`),
		"closers":    fill(".))))"),
		"one-line":   fill("word "),
		"datelines":  fill("a 08.02.2022 "),
		"meta-lines": fill("2022-02-08T10:30+0000\n"),
		"blocks":     fill("Politics, Europe\n\n"),
		"repeats":    fill("Same paragraph.\n\n"),
		"tokens":     fill("1920 "),
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := Read(strings.NewReader(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
