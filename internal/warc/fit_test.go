package warc

// fitBody returns the first body fitBodyEach gives, if any.
func fitBody(coding string, old, data []byte, size int64) ([]byte, bool) {
	return first(func(yield func([]byte) bool) bool { return fitBodyEach(coding, old, data, size, yield) })
}

// fitGzip returns the first gzip member fitGzipWith gives with all the
// compressors, if any.
func fitGzip(data []byte, size int64) ([]byte, bool) {
	return first(func(yield func([]byte) bool) bool { return fitGzipWith(compressors, data, size, yield) })
}
