// Command baseline is the "bare net/http" yardstick of the decision
// benchmark. Flint's target is that POST /api/v1/decisions sustains at least
// half the requests per second of a bare net/http handler that decodes the
// same request and writes an answer of the same size; this is that handler.
//
// It serves POST /api/v1/decisions with nothing but net/http and
// encoding/json: it decodes the request into a struct shaped like Flint's,
// and answers with a one-ad decision of the size and shape Flint sends (a
// fresh decision id, a creator, a caption, a CTA URL carrying a flint_clid
// click id, a ~150-character tracking token), built and encoded anew for
// every request as a real handler would. It does no authentication, no
// targeting, no auction, no budget and no signing: whatever Flint spends
// beyond this is the cost of its decision logic and middleware.
//
//	go run ./tools/baseline --addr 127.0.0.1:8099
//	wrk -t1 -c32 -d10s --latency -s bench/decisions.lua http://127.0.0.1:8099
package main

import (
	"context"
	crand "crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// decisionRequest is the body of POST /api/v1/decisions.
type decisionRequest struct {
	Placement string `json:"placement"`
	Viewer    struct {
		ID        string   `json:"id"`
		Country   string   `json:"country"`
		Age       int      `json:"age"`
		Gender    string   `json:"gender"`
		Language  string   `json:"language"`
		OS        string   `json:"os"`
		Interests []string `json:"interests"`
	} `json:"viewer"`
	Count int `json:"count"`
}

type creator struct {
	ID          string `json:"id"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name"`
}

type cta struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

type ad struct {
	AdID     string  `json:"ad_id"`
	PostID   string  `json:"post_id"`
	Creator  creator `json:"creator"`
	Caption  string  `json:"caption"`
	VideoURL string  `json:"video_url"`
	CTA      cta     `json:"cta"`
	Token    string  `json:"token"`
}

type decision struct {
	DecisionID string `json:"decision_id"`
	Ads        []ad   `json:"ads"`
}

// ids are the lowercase base32 of Flint's identifiers ("dec_" and 16 characters).
var ids = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

func newID(prefix string) string {
	var b [10]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + "_" + ids.EncodeToString(b[:])
}

// token returns a stand-in for a tracking token: base64url of 106 bytes
// (what Flint signs for one ad: times, price, the ids and a MAC), 142
// characters, different for every decision. It is not signed.
func token(decisionID, viewerID string) string {
	var p [106]byte
	n := copy(p[:], decisionID)
	n += copy(p[n:], viewerID)
	for i := n; i < len(p); i += 8 {
		x := rand.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(x >> (8 * j))
		}
	}
	return base64.RawURLEncoding.EncodeToString(p[:])
}

func decide(w http.ResponseWriter, r *http.Request) {
	var req decisionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, `{"error":{"code":"INVALID_JSON","message":"the body is not valid JSON"}}`, http.StatusBadRequest)
		return
	}
	if req.Placement == "" || req.Viewer.ID == "" {
		http.Error(w, `{"error":{"code":"MISSING_FIELD","message":"placement and viewer.id are required"}}`, http.StatusBadRequest)
		return
	}
	id := newID("dec")
	ans := decision{DecisionID: id, Ads: []ad{{
		AdID:   "ad_7m2k9q4x1c8v5b3n",
		PostID: "post_k3j9x0a1b2c3d4e5",
		Creator: creator{
			ID:          "acct_5h8w2r7t0y3z6j9q",
			Handle:      "maya.glow",
			DisplayName: "Maya | Glow Routines",
		},
		Caption:  "My 3-minute morning routine with the new Glow serum, no filter #skincare #grwm #glowup",
		VideoURL: "https://cdn.flint.example/v/post_k3j9x0a1b2c3d4e5/720p.mp4",
		CTA: cta{
			Label: "Shop now",
			URL:   "https://glowco.example/products/serum?utm_source=flint&utm_medium=spark&flint_clid=" + id + "x0",
		},
		Token: token(id, req.Viewer.ID),
	}}}
	body, err := json.Marshal(ans)
	if err != nil {
		http.Error(w, `{"error":{"code":"INTERNAL","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "listen address")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/decisions", decide)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "baseline: serving POST /api/v1/decisions on http://%s\n", ln.Addr())
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
}
