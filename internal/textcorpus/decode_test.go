package textcorpus

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

const (
	ruText = " date 2022-02-08 https://novosti.example.ru/a\n\nПереговоры завершились без соглашения\n\n" +
		"Делегации покинули столицу во вторник, так и не договорившись о спорных пунктах пропуска. " +
		"Следующий раунд переговоров, по словам представителей обеих сторон, состоится в марте.\n"
	deText = " date 2022-02-08 https://zeitung.example.de/a\n\nDie Brücke wird für sechs Monate gesperrt\n\n" +
		"Der Verkehr wird über die Innenstadt umgeleitet, was zu Stoßzeiten bis zu zwanzig Minuten länger dauert. " +
		"Größere Lastwagen müssen die Umgehungsstraße nehmen, teilte die Stadtverwaltung mit.\n"
	jaText = " date 2022-02-08 https://shimbun.example.jp/a\n\n橋は六か月間閉鎖される\n\n" +
		"市議会によると、技術者が橋を支えるケーブルを交換するため、来週の月曜日から全ての車両が通行止めになる。" +
		"自転車と歩行者は土曜日に開通する仮設の歩道橋を利用できる。\n"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeDetects: text in a legacy encoding is told from its bytes and
// read as it was written; UTF-8 and byte order marks need no guessing.
func TestDecodeDetects(t *testing.T) {
	for _, c := range []struct {
		name     string
		data     []byte
		text     string
		encoding string
		detected bool
	}{
		{"utf-8", []byte(ruText), ruText, "utf-8", false},
		{"ascii", []byte("plain text"), "plain text", "utf-8", false},
		{"windows-1251", encode(t, charmap.Windows1251, ruText), ruText, "windows-1251", true},
		{"koi8-r", encode(t, charmap.KOI8R, ruText), ruText, "koi8-r", true},
		{"windows-1252", encode(t, charmap.Windows1252, deText), deText, "windows-1252", true}, // ISO-8859-1 is read as its superset
		{"shift_jis", encode(t, japanese.ShiftJIS, jaText), jaText, "shift_jis", true},
		{"utf-8 BOM", append([]byte("\xEF\xBB\xBF"), deText...), deText, "utf-8", false},
		{"utf-16le BOM", append([]byte("\xFF\xFE"), encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), ruText)...), ruText, "utf-16le", false},
		{"utf-16be BOM", append([]byte("\xFE\xFF"), encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), jaText)...), jaText, "utf-16be", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decode(c.data, Auto)
			if err != nil {
				t.Fatal(err)
			}
			if d.Text != c.text || d.Encoding != c.encoding || d.Detected != c.detected || d.Replaced != 0 {
				t.Errorf("got %s (detected %v, %d replaced) %q", d.Encoding, d.Detected, d.Replaced, d.Text)
			}
		})
	}
}

// TestDecodeDamagedUTF8: UTF-8 with a few bad bytes stays UTF-8, the bad
// bytes replaced and counted; so does ASCII with fewer than four.
func TestDecodeDamagedUTF8(t *testing.T) {
	d, err := Decode([]byte("Die Brücke \xff\xfe wird gesperrt \x80."), Auto)
	if err != nil {
		t.Fatal(err)
	}
	if d.Text != "Die Brücke \uFFFD wird gesperrt \uFFFD." || d.Encoding != "utf-8" || d.Detected || d.Replaced != 2 {
		t.Errorf("got %+v", d)
	}
	d, err = Decode([]byte("T\xff and \xfe and \xfd"), Auto)
	if err != nil || d.Encoding != "utf-8" || d.Replaced != 3 {
		t.Errorf("got %+v, %v", d, err)
	}
}

// TestDecodeNamed: a named encoding is used as named, even where the
// detector would guess otherwise, and an unknown name is an error.
func TestDecodeNamed(t *testing.T) {
	data := encode(t, charmap.Windows1251, "Москва")
	d, err := Decode(data, "windows-1251")
	if err != nil || d.Text != "Москва" || d.Encoding != "windows-1251" || d.Detected {
		t.Errorf("got %+v, %v", d, err)
	}
	d, err = Decode(data, " CP1251 ")
	if err != nil || d.Text != "Москва" {
		t.Errorf("label cp1251: got %+v, %v", d, err)
	}
	d, err = Decode([]byte("caf\xe9"), "utf-8")
	if err != nil || d.Text != "caf\uFFFD" || d.Replaced != 1 {
		t.Errorf("named utf-8: got %+v, %v", d, err)
	}
	for _, label := range []string{"klingon", "", "replacement"} {
		if _, err := Decode(data, label); !errors.Is(err, ErrUnknownEncoding) {
			t.Errorf("label %q: err = %v, want ErrUnknownEncoding", label, err)
		}
		if err := CheckEncoding(label); !errors.Is(err, ErrUnknownEncoding) {
			t.Errorf("CheckEncoding(%q) = %v", label, err)
		}
	}
	if err := CheckEncoding(Auto); err != nil {
		t.Error(err)
	}
}

// TestDecodeUnsure: bytes the detector cannot place are an error, not
// text of replacement characters.
func TestDecodeUnsure(t *testing.T) {
	data := make([]byte, 400)
	for i := range data {
		data[i] = byte(0x80 + (i*37)%128)
	}
	if d, err := Decode(data, Auto); !errors.Is(err, ErrEncoding) {
		t.Errorf("got %s (%d replaced), %v; want ErrEncoding", d.Encoding, d.Replaced, err)
	}
}

// TestReadEncoded: Read decodes a legacy file before its heuristics run,
// says so, and keeps the encoding on the document.
func TestReadEncoded(t *testing.T) {
	d, err := Read(strings.NewReader(string(encode(t, charmap.Windows1251, ruText))))
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Title != "Переговоры завершились без соглашения" || !strings.HasPrefix(d.Article.Text, "Делегации покинули") {
		t.Errorf("got %q / %q", d.Article.Title, d.Article.Text)
	}
	if d.Encoding != "windows-1251" || !d.Detected || len(d.Recovered) != 1 || !strings.Contains(d.Recovered[0], "read as windows-1251") {
		t.Errorf("encoding %q detected %v, recovered %q", d.Encoding, d.Detected, d.Recovered)
	}
	if _, err := ReadEncoded(strings.NewReader(ruText), "klingon"); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("err = %v", err)
	}
}
