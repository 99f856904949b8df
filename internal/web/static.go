package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static templates
var files embed.FS

// assets are the embedded static files, each served under a path that holds
// a digest of its content (/static/{digest}/{name}), so that browsers may
// cache them for ever and a new build is fetched at once.
type assets struct {
	byName map[string]asset // by file name
}

type asset struct {
	url         string
	data        []byte
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]asset{}}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ct := "application/octet-stream"
		switch path.Ext(e.Name()) {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		a.byName[e.Name()] = asset{url: "/static/" + hex.EncodeToString(sum[:8]) + "/" + e.Name(), data: b, contentType: ct}
	}
	return a, nil
}

// URL returns the fingerprinted path of a static file.
func (a *assets) URL(name string) string { return a.byName[name].url }

// serve answers GET /static/{digest}/{name}; an old digest is not found.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	x, ok := a.byName[r.PathValue("name")]
	if !ok || !strings.HasSuffix(x.url, "/"+r.PathValue("digest")+"/"+r.PathValue("name")) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", x.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(x.data)
}
