package dedupe

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "Hello, World!", "don't — “stop”", "ＦＵＬＬ－ｗｉｄｔｈ ﬁ", "e'\u0301", "a,\u0301b",
		"soft\u00adhyphen", "İstanbul ΣΑΣ", "\xff\xfe", "ℌello Ⅻ", strings.Repeat("word ", 25),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, n)
		}
		if ContentHash(s) != ContentHash(n) {
			t.Fatalf("ContentHash differs for %q and its normal form", s)
		}
		sig := Sign(s)
		if h, fs := Fingerprint(s); h != ContentHash(s) || fs != sig {
			t.Fatalf("Fingerprint(%q) differs from ContentHash and Sign", s)
		}
		if sig != Sign(n) {
			t.Fatalf("Sign differs for %q and its normal form", s)
		}
		if !sig.IsZero() && Similarity(sig, sig) != 1 {
			t.Fatalf("Similarity of a signature with itself is %v", Similarity(sig, sig))
		}
	})
}

func FuzzUnmarshalBinary(f *testing.F) {
	good, _ := Sign(strings.Repeat("alpha beta gamma delta ", 10)).MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add(append([]byte{2}, good[1:]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Signature
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) && !s.IsZero() {
			t.Fatalf("round trip changed %x to %x", data, out)
		}
	})
}
