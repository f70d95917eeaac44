package source

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

var errFilesNotAllowed = errors.New("local files are not allowed here")

// isLocal reports whether a source URL names a file: file:// or a path with
// no scheme at all.
func isLocal(raw string) bool {
	return strings.HasPrefix(strings.ToLower(raw), "file:") || !strings.Contains(raw, "://")
}

// localPath turns "file:///a/b", "file:a/b" or "a/b" into a cleaned path.
func localPath(raw string) (string, error) {
	if !strings.HasPrefix(strings.ToLower(raw), "file:") {
		return filepath.Clean(raw), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("file URL names host %q, want a local path", u.Host)
	}
	path := u.Path
	if path == "" {
		path = u.Opaque // file:relative/path
	}
	if path == "" {
		return "", errors.New("file URL has no path")
	}
	return filepath.Clean(path), nil
}

// readFile serves a local file like a fetch: the same size cap, a
// Last-Modified from its modification time and a 304 when that has not changed.
func (f *Fetcher) readFile(ctx context.Context, raw string, c Conditional) (*Response, error) {
	fail := func(kind Kind, err error) (*Response, error) {
		return nil, &Error{Op: "read", URL: raw, Kind: kind, Err: err}
	}
	if !f.opts.AllowFiles {
		return fail(KindForbidden, errFilesNotAllowed)
	}
	if err := ctx.Err(); err != nil {
		return fail(KindCanceled, err)
	}
	path, err := localPath(raw)
	if err != nil {
		return fail(KindFile, err)
	}
	file, err := os.Open(path)
	if err != nil {
		return fail(KindFile, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return fail(KindFile, err)
	}
	if info.IsDir() {
		return fail(KindFile, fmt.Errorf("%s is a directory", path))
	}

	modified := info.ModTime().UTC().Format(http.TimeFormat)
	resp := &Response{URL: fileURL(path), Status: http.StatusOK, Header: http.Header{}}
	resp.Header.Set("Last-Modified", modified)
	if c.LastModified == modified {
		resp.Status = http.StatusNotModified
		return resp, nil
	}
	resp.Body, err = readBody(file, info.Size(), f.opts.MaxBody)
	var tooLarge errTooLarge
	switch {
	case errors.As(err, &tooLarge):
		return fail(KindTooLarge, err)
	case err != nil:
		return fail(KindFile, err)
	}
	resp.ContentType = fileContentType(path, resp.Body)
	resp.Header.Set("Content-Type", resp.ContentType)
	return resp, nil
}

// fileContentType guesses a media type from the extension or the content,
// without a charset: a guess would override the file's own XML declaration
// or meta tag.
func fileContentType(path string, body []byte) string {
	guess := mime.TypeByExtension(filepath.Ext(path))
	if guess == "" {
		guess = http.DetectContentType(body)
	}
	mediaType, _, err := mime.ParseMediaType(guess)
	if err != nil {
		return "application/octet-stream"
	}
	return mediaType
}

func fileURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
