// Fixed: the client talks to an endpoint that really speaks TLS, keeps the
// handshake bounded (TLSHandshakeTimeout, plus Client.Timeout for the whole
// call) and reuses one keep-alive connection, so 20 requests cost a single
// handshake instead of 20. Handshakes are counted with net/http/httptrace.
// The server is an httptest TLS server on 127.0.0.1.
package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"sync/atomic"
	"time"
)

func main() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "charged")
	}))
	defer srv.Close()

	t := srv.Client().Transport.(*http.Transport).Clone() // trusts the test certificate
	t.TLSHandshakeTimeout = 2 * time.Second
	t.MaxIdleConnsPerHost = 8
	client := &http.Client{Transport: t, Timeout: 5 * time.Second}

	var handshakes atomic.Int32
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: func() { handshakes.Add(1) },
	}
	for i := 0; i < 20; i++ {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/charge", nil)
		if err != nil {
			panic(err)
		}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println("request failed:", err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	fmt.Printf("20 requests over TLS, %d handshake(s)\n", handshakes.Load())
}
