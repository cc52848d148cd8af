package extract

import "testing"

func TestClassBylineKind(t *testing.T) {
	tests := []struct {
		class, id string
		want      bylineKind
	}{
		{"byline", "", bylineAuthor},
		{"article__author", "", bylineAuthor},
		{"ArticleByline", "", bylineAuthor},
		{"", "story-writer", bylineAuthor},
		{"article-date", "", bylineDate},
		{"article__date", "", bylineDate},
		{"dateline", "", bylineDate},
		{"published-at", "", bylineDate},
		{"entry-time", "", bylineDate},
		{"timestamp", "", bylineDate},
		{"update", "", bylineDate}, // "Last updated" lines carry dates too
		{"arttidate_pub", "", bylineDate},
		{"runtime-info", "", 0}, // "time" not at a word start
		{"comment-author", "", 0},
		{"author-bio", "", 0},
		{"related-byline", "", 0},
		{"share-author", "", 0},
		{"headline", "", 0},
		{"bday dtstart published", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		if got := classBylineKind(tt.class, tt.id); got != tt.want {
			t.Errorf("classBylineKind(%q, %q) = %d, want %d", tt.class, tt.id, got, tt.want)
		}
	}
}

func TestBylineNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{"By Jane Doe | March 3, 2023", "By Jane Doe"},
		{"By Jane Doe on March 3, 2023", "By Jane Doe"},
		{"By Jane Doe Updated 3:05 PM", "By Jane Doe"},
		{"Jane Doe", "Jane Doe"},
	}
	for _, tt := range tests {
		if got := bylineNames(tt.in); got != tt.want {
			t.Errorf("bylineNames(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestContainsWordPrefix(t *testing.T) {
	for _, tt := range []struct {
		s, w string
		want bool
	}{
		{"more-stories", "more-", true}, {"story related", "related", true}, {"vcard", "card", false},
		{"x_promo", "promo", true}, {"nomore-", "more-", false},
	} {
		if got := containsWordPrefix(tt.s, tt.w); got != tt.want {
			t.Errorf("containsWordPrefix(%q, %q) = %v", tt.s, tt.w, got)
		}
	}
}
