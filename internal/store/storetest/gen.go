package storetest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// Generator makes a deterministic synthetic archive for benchmarks: 500
// sites over five years (2020–2024), article lengths around 500 words
// (100 to 2,000), a Zipf-distributed vocabulary of real common words
// followed by made-up ones, a few fixed phrases ("prime minister",
// "climate change"…), per-site authors, sections and languages, Zipf tags,
// and about 3% syndicated copies of earlier articles on other sites, half
// of which name the article they copy as their original.
// The same seed gives the same archive.
//
// Phrases are topical, as in news: an article is about the prime minister
// or it is not. Each phrase is in a fixed share of the articles
// (phraseShare: 0.5–4%, about 14% of articles have one or more), and an
// article that has it uses it a few times. Until December 2026 the
// generator put a random phrase in place of one word in 60 instead, which
// put each of the ten phrases in about half of all articles — far more
// than any phrase of real news, where even "prime minister" is in a few
// per cent of articles — and made phrase searches look much slower than
// they would be on a real archive. DensePhrases brings that back, to
// reproduce old measurements.
type Generator struct {
	// DensePhrases makes the generator of before December 2026: a random
	// phrase in place of one word in 60, in every article. Set it before
	// the first Next.
	DensePhrases bool

	r       *rand.Rand
	topics  []string // the phrases of the article being made
	words   *rand.Zipf
	tags    *rand.Zipf
	vocab   []string
	tagList []string
	sites   []genSite
	recent  []*store.Record // for syndicated copies
	n       int
}

type genSite struct {
	host, name, lang string
	sections         []string
	authors          []string
}

// GenSites is the number of sites a Generator spreads articles over.
const GenSites = 500

var commonWords = strings.Fields(`the of and to a in that is was he for it with as his on be at by i this had not are but
from or have an they which one you were her all she there would their we him been has when who will more no if out so said
what up its about into than them can only other new some could time these two may then do first any my now such like our
over man me even most made after also did many before must through back years where much your way well down should because
each just those people how too little state good very make world still own see men work long get here between both life
being under never day same another know while last might us great old year off come since against go came right used take
three government minister police court election president country week city council report market health school company
party public money water city officials percent million billion workers prices energy housing hospital police military
border economy inflation tax budget spending trade security climate storm flood drought vote voters campaign parliament
judge trial prison crime students teachers university research study scientists doctors patients vaccine virus war peace
talks deal agreement leaders summit ministers europe africa asia america capital region province village farmers harvest
food fuel oil gas electricity power plant factory jobs unemployment wages strike protest union rally crowd fans match team
season coach player goal league cup final festival museum film music artist book author prize award weather`)

var phrases = []string{"prime minister", "climate change", "central bank", "interest rates",
	"supreme court", "public health", "united nations", "stock market", "heavy rain", "city council"}

// phraseShare is the share of articles that use each of phrases: rough
// estimates for a general news archive, of the order of a few per cent
// for the most common political phrase and well under one for the
// others.
var phraseShare = []float64{0.04, 0.02, 0.01, 0.015, 0.015, 0.015, 0.01, 0.01, 0.005, 0.01}

var syllables = strings.Fields(`ka lo mi ra te su no va ri pe dor lan mek tis bru fal gen hol jor kev lum nor pra qui sel tov ur wex yan zed`)

var langs = []string{"en", "en", "en", "en", "en", "en", "en", "en-GB", "fr", "de", "es", "pt-BR", "it", "nl", "ru"}

var sectionNames = strings.Fields(`world politics business science health sport culture opinion local technology environment education`)

var firstNames = strings.Fields(`Anna Ben Carla David Elena Farid Grace Hugo Irene Jamal Kira Lars Maria Nikolai Olga Pedro Quinn Rosa Samir Tomas Uma Victor Wen Xavier Yara Zoe`)
var lastNames = strings.Fields(`Abbott Becker Castro Dubois Evans Fischer Garcia Horvat Ivanova Jensen Kowalski Larsen Moreau Novak Okafor Petrov Quaid Rossi Schmidt Tanaka Ueda Vargas Weber Xu Young Zimmer`)

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed int64) *Generator {
	r := rand.New(rand.NewSource(seed))
	g := &Generator{r: r}
	seen := map[string]bool{}
	for _, w := range commonWords {
		if !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	for len(g.vocab) < 50000 {
		var b strings.Builder
		for range 2 + r.Intn(3) {
			b.WriteString(syllables[r.Intn(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	g.words = rand.NewZipf(r, 1.1, 2, uint64(len(g.vocab)-1))
	for i := range 2000 {
		g.tagList = append(g.tagList, fmt.Sprintf("%s %s", g.vocab[150+i%300], g.vocab[400+i]))
	}
	g.tags = rand.NewZipf(r, 1.2, 1, uint64(len(g.tagList)-1))
	tlds := []string{"com", "org", "net", "co.uk", "de", "fr", "com.br", "it", "nl", "ru"}
	for i := range GenSites {
		s := genSite{
			host: fmt.Sprintf("%s%s%d.%s", []string{"", "www.", "news."}[i%3], g.vocab[200+i%250], i, tlds[i%len(tlds)]),
			name: fmt.Sprintf("The %s %s", strings.ToUpper(g.vocab[200+i%250][:1])+g.vocab[200+i%250][1:], []string{"Times", "Post", "Herald", "Daily", "Gazette"}[i%5]),
			lang: langs[i%len(langs)],
		}
		for range 3 + r.Intn(6) {
			s.sections = append(s.sections, sectionNames[r.Intn(len(sectionNames))])
		}
		for range 5 + r.Intn(20) {
			s.authors = append(s.authors, firstNames[r.Intn(len(firstNames))]+" "+lastNames[r.Intn(len(lastNames))])
		}
		g.sites = append(g.sites, s)
	}
	return g
}

// Site returns the host name (without "www.") of the generator's i-th site.
func (g *Generator) Site(i int) string {
	return strings.TrimPrefix(g.sites[i%len(g.sites)].host, "www.")
}

var genStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const genSpan = 5 * 365 * 24 * time.Hour

func (g *Generator) sentence(words int) string {
	var b strings.Builder
	for i := 0; i < words; i++ {
		w := g.vocab[g.words.Uint64()]
		switch {
		case g.DensePhrases && g.r.Intn(60) == 0:
			w = phrases[g.r.Intn(len(phrases))]
			i++
		case len(g.topics) > 0 && g.r.Intn(80) == 0:
			// About six times in an article of 500 words.
			w = g.topics[g.r.Intn(len(g.topics))]
			i++
		}
		if i == 0 || b.Len() == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

// Next returns the next record, ready for a Tx (ID, content hash set).
func (g *Generator) Next() store.Entry {
	g.n++
	r := g.r
	s := &g.sites[r.Intn(len(g.sites))]
	var rec *store.Record
	if len(g.recent) > 0 && r.Intn(33) == 0 {
		// A syndicated copy of a recent article, on this site.
		src := g.recent[r.Intn(len(g.recent))]
		cp := *src
		cp.Authors = append([]string(nil), src.Authors...)
		cp.Tags = append([]string(nil), src.Tags...)
		cp.Published = src.Published.Add(time.Duration(r.Intn(48)) * time.Hour)
		if g.n%2 == 0 && !strings.Contains(src.CanonicalURL, "://"+s.host+"/") {
			// Half the copies name their original (rel=canonical to the
			// other site), without drawing on the random stream, so the
			// rest of the archive is what earlier versions generated.
			cp.OriginalURL = src.CanonicalURL
		}
		rec = &cp
	} else {
		g.topics = g.topics[:0]
		if !g.DensePhrases {
			for i, share := range phraseShare {
				if r.Float64() < share {
					g.topics = append(g.topics, phrases[i])
				}
			}
		}
		words := int(float64(500) * (0.2 + r.ExpFloat64()*0.8))
		words = min(max(words, 100), 2000)
		var paras []string
		for n := 0; n < words; {
			var sents []string
			for range 1 + r.Intn(4) {
				k := 8 + r.Intn(18)
				sents = append(sents, g.sentence(k))
				n += k
			}
			paras = append(paras, strings.Join(sents, " "))
		}
		text := strings.Join(paras, "\n\n")
		title := strings.TrimSuffix(g.sentence(5+r.Intn(7)), ".")
		rec = &store.Record{Article: article.Article{
			Title:       title,
			Description: g.sentence(15 + r.Intn(15)),
			Published:   genStart.Add(time.Duration(r.Int63n(int64(genSpan)))).Truncate(time.Minute),
			Text:        text,
		}}
		for range 1 + r.Intn(2) {
			rec.Authors = append(rec.Authors, s.authors[r.Intn(len(s.authors))])
		}
		for range r.Intn(5) {
			rec.Tags = append(rec.Tags, g.tagList[g.tags.Uint64()])
		}
		g.topics = g.topics[:0]
		rec.Section = s.sections[r.Intn(len(s.sections))]
		rec.Language = s.lang
		if len(g.recent) < 200 {
			g.recent = append(g.recent, rec)
		} else {
			g.recent[r.Intn(len(g.recent))] = rec
		}
	}
	host := strings.TrimPrefix(s.host, "www.")
	rec.URL = fmt.Sprintf("https://%s/%s/%d/article-%d.html", s.host, rec.Section, rec.Published.Year(), g.n)
	rec.CanonicalURL = rec.URL
	rec.SiteName = s.name
	rec.WordCount = article.CountWords(rec.Text)
	rec.FetchedAt = rec.Published.Add(time.Hour)
	rec.Source = "https://" + host + "/feed.xml"
	rec.ContentHash = Hash(rec.Text)
	rec.ID = Hash(rec.URL)[:16]
	rec.ClusterID = ""
	rec.Version = 0
	return store.Entry{Record: rec, Bands: fakeBands(rec.ContentHash)}
}

// fakeBands stands in for dedupe's 21 band hashes, so that benchmarks store
// what the archive stores. Equal texts get equal bands.
func fakeBands(hash string) []uint64 {
	out := make([]uint64, 21)
	for i := range out {
		sum := sha256.Sum256([]byte(fmt.Sprint(hash, i)))
		out[i] = binary.LittleEndian.Uint64(sum[:])
	}
	return out
}
