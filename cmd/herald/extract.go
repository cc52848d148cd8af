package main

import "github.com/spf13/cobra"

func newExtractCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "extract", Short: "Extract article records from HTML pages"}
}
