package archive

// SetReclusterFlushHook sets the function Recluster calls with each batch
// of ids before deciding it, and returns a function that removes it.
func SetReclusterFlushHook(f func(ids []string)) (restore func()) {
	reclusterFlushHook = f
	return func() { reclusterFlushHook = nil }
}
