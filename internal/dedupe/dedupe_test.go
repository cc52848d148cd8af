package dedupe

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   \n\t ", ""},
		{"Hello, World!", "hello world"},
		{"  spaced\n\nout\ttext  ", "spaced out text"},
		{"“Quoted” — text…", "quoted text"},
		{"don't and don’t and dont", "dont and dont and dont"},
		{"well-known and well known", "well known and well known"},
		{"U.S. officials", "u s officials"},
		{"3.5 per cent", "3 5 per cent"},
		{"ＦＵＬＬ－ｗｉｄｔｈ", "full width"},
		{"ﬁnance", "finance"},
		{"soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"},
		{"$5 and €10", "$5 and €10"},
		{"Москва, ПРАВДА", "москва правда"},
		{"20°C • 30%", "20 c 30"},
		{"café vs cafe\u0301", "café vs café"},
		{"Straße", "straße"},
		{"a\x00b\x7fc", "a b c"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Normalize(tt.want); got != tt.want {
			t.Errorf("Normalize(%q) is not idempotent: %q", tt.want, got)
		}
	}
}

func TestContentHash(t *testing.T) {
	base := "The harbour reopened on Thursday. Officials said the wall is stronger."
	same := []string{
		base,
		"  The harbour reopened on Thursday.\n\nOfficials said the wall is stronger.  ",
		"THE HARBOUR REOPENED ON THURSDAY — OFFICIALS SAID THE WALL IS STRONGER",
		"The harbour reopened on Thursday; “Officials” said the wall is stronger!",
	}
	want := ContentHash(base)
	if len(want) != 64 || strings.Trim(want, "0123456789abcdef") != "" {
		t.Fatalf("ContentHash = %q, want 64 lower-case hex digits", want)
	}
	for _, s := range same {
		if got := ContentHash(s); got != want {
			t.Errorf("ContentHash(%q) = %s, want %s (only formatting changed)", s, got, want)
		}
	}
	for _, s := range []string{
		"The harbour reopened on Friday. Officials said the wall is stronger.",
		"The harbour reopened on Thursday. Officials said the wall is stronger. More soon.",
		"",
	} {
		if ContentHash(s) == want {
			t.Errorf("ContentHash(%q) equals the base hash, want a new version", s)
		}
	}
	// Fixed forever: stored in archives.
	if got, want := ContentHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("ContentHash(\"\") = %s, want %s", got, want)
	}
}

func readText(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shareBand reports whether two signatures are LSH candidates.
func shareBand(a, b Signature) bool {
	ba, bb := a.Bands(), b.Bands()
	for i := range ba {
		if i < len(bb) && ba[i] == bb[i] {
			return true
		}
	}
	return false
}

func TestNearDuplicates(t *testing.T) {
	orig := readText(t, "harbour.txt")
	paras := strings.Split(strings.TrimSpace(orig), "\n\n")
	edited := strings.NewReplacer(
		"on Thursday", "on Thursday morning",
		"around twenty tonnes", "about 20 tonnes",
		"strengthened earlier", "strengthened sooner",
	).Replace(orig)
	appended := orig + "\n\nUpdate: the ferry operator said on Friday that it would restore its full timetable from Monday, with an extra evening crossing on weekdays until the end of the month to clear the backlog of freight.\n"
	newIntro := "PORT CITY - Ships began returning to the city harbour this week after engineers completed emergency work on its storm-damaged breakwater.\n\n" +
		strings.Join(paras[1:], "\n\n")

	tests := []struct {
		name string
		b    string
		dup  bool
	}{
		{"identical", orig, true},
		{"reformatted", strings.ToUpper(strings.ReplaceAll(orig, "\n\n", "\n")), true},
		{"a few words edited", edited, true},
		{"a paragraph appended", appended, true},
		{"a different intro line", newIntro, true},
		{"syndicated copy", readText(t, "harbour_syndicated.txt"), true},
		{"same story, different article", readText(t, "harbour_fishermen.txt"), false},
		{"unrelated article", readText(t, "council_budget.txt"), false},
		{"first half only", strings.Join(paras[:len(paras)/2], "\n\n"), false},
	}
	a := Sign(orig)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Sign(tt.b)
			sim := Similarity(a, b)
			t.Logf("similarity %.3f", sim)
			if got := IsNearDuplicate(a, b); got != tt.dup {
				t.Errorf("IsNearDuplicate = %v (similarity %.3f), want %v", got, sim, tt.dup)
			}
			if tt.dup && !shareBand(a, b) {
				t.Errorf("near-duplicate shares no LSH band (similarity %.3f)", sim)
			}
			if !tt.dup && sim > 0.5 {
				t.Errorf("similarity %.3f of a different article, want ≤ 0.5", sim)
			}
			if Similarity(a, b) != Similarity(b, a) {
				t.Error("Similarity is not symmetric")
			}
		})
	}
	if got := Similarity(a, a); got != 1 {
		t.Errorf("Similarity(a, a) = %v, want 1", got)
	}
	if Sign(orig) != a {
		t.Error("Sign is not deterministic")
	}
}

func TestShortTexts(t *testing.T) {
	short := "The harbour reopened on Thursday after three weeks of repairs to the storm-damaged breakwater wall."
	if n := len(strings.Fields(Normalize(short))); n >= MinWords {
		t.Fatalf("test text has %d words, want < %d", n, MinWords)
	}
	s := Sign(short)
	if !s.IsZero() {
		t.Error("Sign of a short text is not the zero Signature")
	}
	if s.Bands() != nil {
		t.Error("the zero Signature has bands")
	}
	if Similarity(s, s) != 0 || IsNearDuplicate(s, s) {
		t.Error("the zero Signature matches itself")
	}
	long := Sign(readText(t, "harbour.txt"))
	if Similarity(s, long) != 0 || Similarity(long, s) != 0 {
		t.Error("the zero Signature matches a real one")
	}
	for _, text := range []string{"", "   ", "!!! ??? ...", strings.Repeat("word ", MinWords-1)} {
		if sig := Sign(text); !sig.IsZero() {
			t.Errorf("Sign(%q) is not zero", text)
		}
	}
	if sig := Sign(strings.Repeat("word ", MinWords)); sig.IsZero() {
		t.Errorf("Sign of %d words is zero", MinWords)
	}
}

func TestBands(t *testing.T) {
	a := Sign(readText(t, "harbour.txt"))
	bands := a.Bands()
	if len(bands) != NumBands {
		t.Fatalf("len(Bands()) = %d, want %d", len(bands), NumBands)
	}
	seen := map[uint64]bool{}
	for _, b := range bands {
		if seen[b] {
			t.Errorf("band hash %x repeats", b)
		}
		seen[b] = true
	}
	// Equal rows in different bands must not give equal hashes.
	var s Signature
	for i := range s {
		s[i] = 7
	}
	if bs := s.Bands(); bs[0] == bs[1] {
		t.Error("bands with equal rows share a hash; the band number is not hashed")
	}
	// Changing one value changes exactly the band that holds it.
	b := a
	b[BandRows*3+2]++
	bb := b.Bands()
	for i := range bands {
		if (bands[i] != bb[i]) != (i == 3) {
			t.Errorf("band %d changed = %v after editing row %d", i, bands[i] != bb[i], BandRows*3+2)
		}
	}
}

func TestMarshalBinary(t *testing.T) {
	a := Sign(readText(t, "harbour.txt"))
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != encodedLen || data[0] != signatureVersion {
		t.Fatalf("encoded length %d, first byte %d", len(data), data[0])
	}
	var b Signature
	if err := b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("signature changed in a round trip")
	}

	var zero Signature
	data, err = zero.MarshalBinary()
	if err != nil || len(data) != 0 {
		t.Fatalf("zero signature encodes as %d bytes, %v", len(data), err)
	}
	b = a
	if err := b.UnmarshalBinary(nil); err != nil || !b.IsZero() {
		t.Errorf("UnmarshalBinary(nil) = %v, zero %v", err, b.IsZero())
	}

	good, _ := a.MarshalBinary()
	bad := append([]byte{}, good...)
	bad[0] = 9
	for _, data := range [][]byte{good[:10], append(good, 0), bad} {
		s := a
		err := s.UnmarshalBinary(data)
		if err == nil {
			t.Errorf("UnmarshalBinary of %d bytes succeeded", len(data))
		} else if !strings.HasPrefix(err.Error(), "decode signature") {
			t.Errorf("error %q lacks context", err)
		}
		if s != a {
			t.Error("failed UnmarshalBinary changed the signature")
		}
	}
}

// TestSignStable pins the hash functions: a change here makes every stored
// signature incomparable with new ones (bump signatureVersion).
func TestSignStable(t *testing.T) {
	s := Sign(readText(t, "harbour.txt"))
	want := [4]uint32{s[0], s[1], s[2], s[127]}
	got := [4]uint32{0x220af098, 0xda70628d, 0x64eb40ad, 0xd158eb52}
	if want != got {
		t.Errorf("signature starts %#08x, pinned %#08x", want, got)
	}
}

// TestProbeCoversBins checks that every empty bin's probe sequence visits
// every other bin within maxProbes steps, so densification always finds
// the filled bins of any text.
func TestProbeCoversBins(t *testing.T) {
	worst := 0
	for b := range NumHashes {
		var seen [NumHashes]bool
		left := NumHashes
		for attempt := range maxProbes {
			if j := probe(b, attempt); !seen[j] {
				seen[j] = true
				left--
				if left == 0 {
					worst = max(worst, attempt+1)
					break
				}
			}
		}
		if left > 0 {
			t.Fatalf("bin %d: %d bins unreached in %d probes", b, left, maxProbes)
		}
	}
	t.Logf("all bins reached within %d probes", worst)
}

func BenchmarkSign(b *testing.B) {
	text := article800(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Sign(text)
	}
}

func TestFingerprint(t *testing.T) {
	for _, name := range []string{"harbour.txt", "council_budget.txt"} {
		text := readText(t, name)
		h, s := Fingerprint(text)
		if h != ContentHash(text) || s != Sign(text) {
			t.Errorf("Fingerprint of %s differs from ContentHash and Sign", name)
		}
	}
	if h, s := Fingerprint("short"); h != ContentHash("short") || !s.IsZero() {
		t.Error("Fingerprint of a short text")
	}
}

func BenchmarkFingerprint(b *testing.B) {
	text := article800(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Fingerprint(text)
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := article800(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(text)
	}
}

func BenchmarkBands(b *testing.B) {
	s := Sign(article800(b))
	b.ReportAllocs()
	for b.Loop() {
		s.Bands()
	}
}

// article800 is an 800-word article made of the test texts.
func article800(tb testing.TB) string {
	var all []string
	for _, name := range []string{"harbour.txt", "harbour_fishermen.txt", "council_budget.txt", "harbour_syndicated.txt"} {
		all = append(all, strings.Fields(readText(tb, name))...)
	}
	return strings.Join(all[:800], " ")
}

func TestShingleSet(t *testing.T) {
	long := strings.Repeat("the harbour reopened on thursday after repairs ", 5) // 35 words, 7 distinct shingles
	if got := ShingleSet(long); len(got) != 7 || !slices.IsSorted(got) {
		t.Errorf("ShingleSet: %d shingles (sorted %v), want 7 distinct", len(got), slices.IsSorted(got))
	}
	if got := ShingleSet("too short to sign"); got != nil {
		t.Errorf("short text: %v, want nil", got)
	}
	if j := Jaccard(long, strings.ToUpper(long)); j != 1 {
		t.Errorf("Jaccard of a text and its upper-case copy = %v, want 1", j)
	}
	if j := Jaccard(long, "too short to sign"); j != 0 {
		t.Errorf("Jaccard with a short text = %v, want 0", j)
	}
	if j := Jaccard("", ""); j != 0 {
		t.Errorf("Jaccard of empty texts = %v, want 0", j)
	}
}

func BenchmarkShingleSet(b *testing.B) {
	text := strings.Repeat("Officials said the breakwater had been rebuilt to withstand stronger storms and higher tides. ", 60)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		ShingleSet(text)
	}
}
