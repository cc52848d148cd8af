package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/query"
)

// onlyFlags are the options that narrow an import to some sites and
// languages (herald import warc --site, --sites, --lang).
type onlyFlags struct {
	sites     []string
	sitesFile string
	langs     []string
}

func addOnlyFlags(cmd *cobra.Command, f *onlyFlags) {
	fl := cmd.Flags()
	fl.StringSliceVar(&f.sites, "site", nil, "keep only the pages of this site and the hosts under it, as site: reads it (repeat or separate with commas)")
	fl.StringVar(&f.sitesFile, "sites", "", "keep only the pages of the sites this file lists, one a line (# comments)")
	fl.StringSliceVar(&f.langs, "lang", nil, "keep only the articles in this language, as lang: reads it: pt keeps pt and pt-BR (repeat or separate with commas)")
}

// only reads the flags into a harvest.Only: each value as the query
// filter reads it, refused as the filter refuses it.
func (f *onlyFlags) only() (harvest.Only, error) {
	var o harvest.Only
	seen := map[string]bool{}
	addSite := func(where, v string) error {
		v = strings.TrimSpace(v)
		site, err := query.FilterValue(query.Site, v)
		if err != nil {
			return &exitError{code: 2, msg: fmt.Sprintf("%s %s: %v", where, v, err)}
		}
		if !seen[site] {
			seen[site] = true
			o.Sites = append(o.Sites, site)
		}
		return nil
	}
	for _, v := range f.sites {
		if err := addSite("--site", v); err != nil {
			return o, err
		}
	}
	if f.sitesFile != "" {
		r, err := openFile(f.sitesFile)
		if err != nil {
			return o, &exitError{code: 2, msg: fmt.Sprintf("--sites %s: %v", f.sitesFile, err)}
		}
		defer r.Close()
		listed := 0
		var lineErr error
		err = eachListLine(r, func(n int, line string) error {
			listed++
			lineErr = addSite(fmt.Sprintf("--sites %s:%d:", f.sitesFile, n), line)
			return lineErr
		})
		if err != nil && err != lineErr {
			return o, &exitError{code: 2, msg: fmt.Sprintf("--sites %s: %v", f.sitesFile, unwrapPath(err))}
		}
		if err != nil {
			return o, err
		}
		if listed == 0 {
			// Keeping nothing is never what was meant.
			return o, &exitError{code: 2, msg: fmt.Sprintf("--sites %s lists no sites", f.sitesFile)}
		}
	}
	for _, v := range f.langs {
		v = strings.TrimSpace(v)
		tag, err := query.FilterValue(query.Lang, v)
		if err != nil {
			return o, &exitError{code: 2, msg: fmt.Sprintf("--lang %s: %v", v, err)}
		}
		o.Languages = append(o.Languages, tag)
	}
	return o, nil
}
