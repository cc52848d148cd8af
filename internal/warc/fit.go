package warc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/adler32"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// fitBodyEach compresses data in the content coding given (gzip, x-gzip,
// deflate, br or zstd) into bodies of exactly size bytes that decode to
// data, giving each in turn (one per compressor or setting that makes
// one) to yield, until yield takes one (returns true); it reports whether
// one was taken, false when no setting tried makes one small enough. A
// caller that must fit the body into a larger whole (a WARC record's
// gzip member) tries the next when one does not. old is the body it
// replaces, whose framing a deflate body keeps (a zlib stream, as HTTP
// says, or a bare deflate stream, as some servers send). Each coding is
// padded in a way its decoders skip by their specifications: see
// fitGzipWith, fitDeflateEach, fitBrotliEach and fitZstdEach.
func fitBodyEach(coding string, old, data []byte, size int64, yield func([]byte) bool) bool {
	switch coding {
	case "gzip", "x-gzip":
		return fitGzipWith(compressors, data, size, yield)
	case "deflate":
		if _, err := zlib.NewReader(bytes.NewReader(old)); err != nil || len(old) < 2 || old[1]&0x20 != 0 {
			return fitDeflateEach(data, size, yield) // bare deflate (decodeContent's fallback)
		}
		// zlib: a header declaring a 32 KiB window (the compressors'
		// own, which old's may be smaller than: a strict decoder holds
		// a stream to it) with old's level, the stream, then the
		// Adler-32 of data.
		cmf, flg := byte(0x78), old[1]&0xc0
		flg |= byte((31 - (uint(cmf)<<8|uint(flg))%31) % 31) // FCHECK
		return fitDeflateEach(data, size-2-4, func(s []byte) bool {
			out := append([]byte{cmf, flg}, s...)
			return yield(binary.BigEndian.AppendUint32(out, adler32.Checksum(data)))
		})
	case "br":
		return fitBrotliEach(data, size, yield)
	case "zstd":
		return fitZstdEach(data, size, yield)
	}
	return false
}

// first returns the first result each gives, if any.
func first(each func(yield func([]byte) bool) bool) ([]byte, bool) {
	var got []byte
	ok := each(func(b []byte) bool { got = b; return true })
	return got, ok
}

// bitWriter appends bits to a deflate or brotli stream, least
// significant first, from a byte boundary.
type bitWriter struct {
	out  []byte
	used uint // bits used in the last byte; 0 when aligned
}

// bits appends the n low bits of v.
func (w *bitWriter) bits(v uint, n uint) {
	for range n {
		if w.used == 0 {
			w.out = append(w.out, 0)
		}
		w.out[len(w.out)-1] |= byte(v&1) << w.used
		v >>= 1
		w.used = (w.used + 1) % 8
	}
}

// align pads with zero bits to the next byte boundary.
func (w *bitWriter) align() { w.used = 0 }

// fitDeflateEach compresses data into bare deflate streams of exactly
// size bytes, giving each that fits to yield in turn, as fitBodyEach
// does. With each compressor in turn, a stream flushed to a byte boundary
// (its last block not final) is padded with empty blocks, the last of
// them final: stored ones, five bytes each, then two to six bytes of
// empty blocks with fixed codes (ten bits each), so any size from two
// bytes past the flushed stream fits; a size below that is met only by a
// stream ended by its compressor that is exactly that long.
func fitDeflateEach(data []byte, size int64, yield func([]byte) bool) bool {
	for _, c := range compressors {
		var d bytes.Buffer
		zw := c(&d)
		zw.Write(data)
		zw.Flush() // byte-aligned, after an empty stored block, not final
		pad := size - int64(d.Len())
		if pad < 2 {
			d.Reset()
			zw = c(&d)
			zw.Write(data)
			zw.Close()
			if int64(d.Len()) == size && yield(d.Bytes()) {
				return true
			}
			continue
		}
		w := bitWriter{out: d.Bytes()}
		for ; pad > 6; pad -= 5 {
			w.bits(0, 3) // not final, stored
			w.align()
			w.out = append(w.out, 0, 0, 0xff, 0xff)
		}
		fixed := func(final uint) {
			w.bits(final, 1)
			w.bits(1, 2) // fixed codes
			w.bits(0, 7) // end of block: code 256, seven zero bits
		}
		if pad == 6 {
			fixed(0) // ten bits, then a final stored block: 2 + 4 bytes
			w.bits(1, 3)
			w.align()
			w.out = append(w.out, 0, 0, 0xff, 0xff)
		} else {
			for range pad - 2 { // 10, 20, 30 or 40 bits: 2 to 5 bytes
				fixed(0)
			}
			fixed(1)
		}
		if yield(w.out) {
			return true
		}
	}
	return false
}

// brotliQualities are the qualities fitBrotliEach tries, in order: a
// server's usual first, the slow best last.
var brotliQualities = []int{6, 9, 11}

// fitBrotliEach compresses data into brotli streams of exactly size
// bytes, giving each that fits to yield in turn, as fitBodyEach does.
// With each quality in turn, a stream flushed to a byte boundary is
// padded with metadata meta-blocks (which decoders skip: one byte empty,
// or two or three bytes of header and up to 64 KiB of zeros) and ended by
// an empty last meta-block (one byte), so any size from one byte past the
// flushed stream fits; a size below that is met only by a stream ended by
// its compressor that is exactly that long.
func fitBrotliEach(data []byte, size int64, yield func([]byte) bool) bool {
	for _, q := range brotliQualities {
		var d bytes.Buffer
		bw := brotli.NewWriterOptions(&d, brotli.WriterOptions{Quality: q})
		bw.Write(data)
		bw.Flush() // byte-aligned, at a meta-block's end, not the last
		pad := size - int64(d.Len()) - 1
		if pad < 0 {
			d.Reset()
			bw = brotli.NewWriterOptions(&d, brotli.WriterOptions{Quality: q})
			bw.Write(data)
			bw.Close()
			if int64(d.Len()) == size && yield(d.Bytes()) {
				return true
			}
			continue
		}
		w := bitWriter{out: d.Bytes()}
		for pad > 0 {
			// ISLAST 0, MNIBBLES 0 (coded 3), a reserved 0 bit,
			// MSKIPBYTES, MSKIPLEN-1 in that many bytes, then the
			// skipped bytes from a byte boundary.
			var skip, n int64 // bytes skipped, bytes of their length
			switch {
			case pad <= 2:
			case pad <= 258:
				n, skip = 1, pad-2
			case pad < 260:
				n, skip = 1, 256 // one byte left for an empty block
			default:
				n, skip = 2, min(pad-3, 65536)
			}
			w.bits(0, 1)
			w.bits(3, 2)
			w.bits(0, 1)
			w.bits(uint(n), 2)
			if n > 0 {
				w.bits(uint(skip-1), uint(8*n))
			}
			w.align()
			w.out = append(w.out, make([]byte, skip)...)
			pad -= 1 + n + skip
		}
		w.bits(1, 1) // ISLAST
		w.bits(1, 1) // ISLASTEMPTY
		if yield(w.out) {
			return true
		}
	}
	return false
}

// zstdSettings are the encoder settings fitZstdEach tries, in order.
var zstdSettings = func() [][]zstd.EOption {
	var s [][]zstd.EOption
	for _, level := range []zstd.EncoderLevel{zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression, zstd.SpeedFastest} {
		for _, crc := range []bool{true, false} {
			s = append(s, []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderCRC(crc), zstd.WithEncoderConcurrency(1)})
		}
	}
	return s
}()

// fitZstdEach compresses data into zstd frames of exactly size bytes,
// giving each set of frames that fits to yield in turn, as fitBodyEach
// does. One frame is made with each of a few settings (levels, with and
// without its checksum) and padded, the first way that is exact: with a
// skippable frame after it (eight bytes and more, which decoders skip),
// or with one or two empty raw blocks (three bytes each) before its first
// block.
func fitZstdEach(data []byte, size int64, yield func([]byte) bool) bool {
	for _, opts := range zstdSettings {
		zw, err := zstd.NewWriter(nil, opts...)
		if err != nil {
			continue
		}
		frame := zw.EncodeAll(data, nil)
		zw.Close()
		pad := size - int64(len(frame))
		var out []byte
		switch {
		case pad == 0:
			out = frame
		case pad >= 8:
			out = binary.LittleEndian.AppendUint32(frame, 0x184D2A50) // a skippable frame's magic
			out = binary.LittleEndian.AppendUint32(out, uint32(pad-8))
			out = append(out, make([]byte, pad-8)...)
		case pad == 3 || pad == 6:
			at, ok := zstdBlocksAt(frame)
			if !ok {
				continue
			}
			out = append(bytes.Clone(frame[:at]), make([]byte, pad)...) // block headers: not last, raw, size 0
			out = append(out, frame[at:]...)
		default:
			continue
		}
		if yield(out) {
			return true
		}
	}
	return false
}

// zstdBlocksAt returns the offset of a zstd frame's first block: past
// its magic number and frame header.
func zstdBlocksAt(frame []byte) (int, bool) {
	if len(frame) < 6 || binary.LittleEndian.Uint32(frame) != 0xFD2FB528 {
		return 0, false
	}
	fhd := frame[4]
	single := fhd>>5&1 == 1
	at := 5
	if !single {
		at++ // window descriptor
	}
	at += []int{0, 1, 2, 4}[fhd&3] // dictionary id
	fcs := []int{0, 2, 4, 8}[fhd>>6]
	if fcs == 0 && single {
		fcs = 1
	}
	at += fcs
	return at, at+3 <= len(frame)
}
