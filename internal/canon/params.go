package canon

import (
	"slices"
	"strings"
)

// trackingPrefixes are name prefixes of whole families of tracking
// parameters. Only utm_ is specific enough to be matched as a family; other
// vendors' parameters are listed by name.
var trackingPrefixes = []string{
	"utm_", // Google Analytics campaign tags: utm_source, utm_medium, ...
}

// trackingNames are exact names (compared lower-cased) of parameters that
// record how a reader arrived, never which article they asked for.
var trackingNames = []string{
	// Google Analytics cross-domain linker.
	"_ga", "_gl",
	// Google Ads, Microsoft Ads, Yandex, Facebook, Twitter, TikTok,
	// LinkedIn and Rakuten click ids.
	"dclid", "gclid", "gclsrc", "gbraid", "wbraid", "msclkid", "yclid",
	"fbclid", "twclid", "ttclid", "li_fat_id", "rb_clickid",
	// Facebook share parameters.
	"fb_action_ids", "fb_action_types", "fb_ref", "fb_source",
	// Instagram share ids.
	"igshid", "igsh",
	// Mailchimp, Marketo, HubSpot, Vero and Omeda e-mail tracking.
	"mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "__hstc", "__hssc",
	"__hsfp", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id",
	// AT Internet (Piano) campaign tags.
	"at_medium", "at_campaign", "at_source", "at_platform", "at_creation",
	"at_variant", "at_format", "at_link", "at_type", "at_send_date",
	"at_recipient_id", "at_recipient_list", "at_emailtype", "at_ptr_name",
	"at_custom1", "at_custom2", "at_custom3", "at_custom4", "xtor",
	// comScore.
	"ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
	// Matomo / Piwik campaign tags.
	"pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content",
	"mtm_campaign", "mtm_keyword", "mtm_source", "mtm_medium",
	"mtm_content", "mtm_cid", "mtm_group", "mtm_placement",
	// Adobe Analytics and Webtrends campaign ids.
	"s_cid", "s_kwcid", "wt.mc_id",
	// Publishers' own campaign and referral markers: Guardian CMP and
	// INTCMP, generic cmpid, Yahoo/MSN/NBC ocid and ncid, BBC ito, New York
	// Times smid and smtyp, Twitter embeds ref_src and ref_url.
	"cmp", "intcmp", "cmpid", "ocid", "ncid", "ito", "smid", "smtyp",
	"ref_src", "ref_url",
	// Social sharing tags and "came from the feed" flags.
	"soc_src", "soc_trk", "rss",
	// Alibaba tracking.
	"spm",
	// Session ids (Java, PHP, ColdFusion) put in links by sites that
	// cannot count on cookies: they name a visit, never an article.
	"jsessionid", "phpsessid", "cfid", "cftoken",
}

// dropSessionParam removes ";jsessionid=..." path parameters (Java
// servlets' session ids, in any case) from a raw path: each visit would
// otherwise give every article a URL of its own.
func dropSessionParam(path string) string {
	const param = ";jsessionid="
	for {
		i := indexFold(path, param)
		if i < 0 {
			return path
		}
		end := len(path)
		if j := strings.IndexByte(path[i:], '/'); j >= 0 {
			end = i + j
		}
		path = path[:i] + path[end:]
	}
}

// IsTrackingParam reports whether a query parameter with the given
// (percent-decoded) name only tracks how the reader arrived and is removed
// by URL. The comparison ignores case. The list is deliberately explicit:
// generic names such as ref, source, id, p, page, story or article are never
// tracking parameters here, because sites use them to select content.
func IsTrackingParam(name string) bool {
	name = strings.ToLower(name)
	if slices.Contains(trackingNames, name) {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// TrackingParams returns the tracking parameter rules, for documentation
// and diagnostics: exact names, and prefixes written with a trailing "*"
// (utm_*). The slice is a fresh copy.
func TrackingParams() []string {
	out := slices.Clone(trackingNames)
	for _, p := range trackingPrefixes {
		out = append(out, p+"*")
	}
	slices.Sort(out)
	return out
}

// indexFold is strings.Index ignoring the case of ASCII letters, for an
// ASCII lower-case sub; offsets are s's own (strings.ToLower may change
// the length of other characters).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		ok := true
		for j := 0; j < len(sub) && ok; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			ok = c == sub[j]
		}
		if ok {
			return i
		}
	}
	return -1
}
