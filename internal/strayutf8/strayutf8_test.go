package strayutf8

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/transform"
)

// TestStrayBytesByteByByte: valid UTF-8 sequences arriving a byte at a
// time are kept whole; lone bytes become their Windows-1252 characters.
func TestStrayBytesByteByByte(t *testing.T) {
	in := "Café \xe9 “quoted” \x93x\x94 港 end\xe9"
	got, err := io.ReadAll(transform.NewReader(iotest.OneByteReader(strings.NewReader(in)), Transformer{}))
	if want := "Café é “quoted” “x” 港 endé"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

// TestFix: valid UTF-8 and documents declaring another encoding are left
// as they are; a document meant as UTF-8 has its stray bytes read as
// Windows-1252.
func TestFix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<rss>Café</rss>", "<rss>Café</rss>"},
		{"<rss>Caf\xe9</rss>", "<rss>Café</rss>"},
		{"\xef\xbb\xbf<?xml version=\"1.0\" encoding='UTF-8'?><rss>\x93x\x94</rss>", "\xef\xbb\xbf<?xml version=\"1.0\" encoding='UTF-8'?><rss>“x”</rss>"},
		{"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>Caf\xe9</rss>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>Caf\xe9</rss>"},
	} {
		if got := string(Fix([]byte(tc.in))); got != tc.want {
			t.Errorf("Fix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
