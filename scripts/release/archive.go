package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"io"
	"sort"
	"time"
)

// Entry is one file of an archive.
type Entry struct {
	Name string
	Data []byte
	Mode int64
}

// sorted returns the entries by name, so that the archive does not depend
// on the order they were gathered in.
func sorted(entries []Entry) []Entry {
	out := append([]Entry{}, entries...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// WriteTarGz writes a gzip-compressed tar of entries, byte for byte the
// same for the same input: sorted names, owner 0:0 without names, the given
// mtime, and a gzip header with neither name nor time.
func WriteTarGz(w io.Writer, entries []Entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = time.Time{} // no timestamp in the gzip header
	tw := tar.NewWriter(gz)
	for _, e := range sorted(entries) {
		h := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     e.Name,
			Size:     int64(len(e.Data)),
			Mode:     e.Mode,
			ModTime:  mtime,
			Uid:      0,
			Gid:      0,
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(e.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// WriteZip writes a zip of entries with the same guarantees as WriteTarGz.
func WriteZip(w io.Writer, entries []Entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range sorted(entries) {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(0o644)
		if e.Mode&0o111 != 0 {
			h.SetMode(0o755)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(e.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}
