package pypitest

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Proxy is a forward HTTP proxy on 127.0.0.1 for tests: it forwards
// absolute-URI requests (plain http) and tunnels CONNECT (https). Host
// names are resolved only through its routes, so a name such as
// "index.invalid" reaches a test server through the proxy and nowhere
// else; a host without a route gets 502.
type Proxy struct {
	URL string // http://127.0.0.1:port

	routes   map[string]string // "host:port" or "host" -> "127.0.0.1:port"
	user     string
	password string
	ln       net.Listener
	srv      *http.Server

	requests, connects, denied atomic.Int64
	mu                         sync.Mutex
	hosts                      map[string]int
	tunnels                    []net.Conn
	closed                     bool
}

// ProxyOption configures a Proxy.
type ProxyOption func(*Proxy)

// ProxyAuth makes the proxy require these Proxy-Authorization basic
// credentials (407 otherwise).
func ProxyAuth(user, password string) ProxyOption {
	return func(p *Proxy) { p.user, p.password = user, password }
}

// NewProxy starts a proxy with routes from a host ("index.invalid") or
// host:port to a loopback address ("127.0.0.1:34567"). Close it when done.
func NewProxy(routes map[string]string, opts ...ProxyOption) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), routes: routes, ln: ln, hosts: map[string]int{}}
	for _, o := range opts {
		o(p)
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve)}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the proxy and its tunnels.
func (p *Proxy) Close() {
	p.srv.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, c := range p.tunnels {
		c.Close()
	}
	p.tunnels = nil
}

// ProxyCounts says what the proxy saw.
type ProxyCounts struct {
	Requests int64          // forwarded plain-http requests
	Connects int64          // CONNECT tunnels opened
	Denied   int64          // 407s for missing or wrong credentials
	Hosts    map[string]int // requests and tunnels by target host:port
}

// Counts returns the counters.
func (p *Proxy) Counts() ProxyCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	hosts := make(map[string]int, len(p.hosts))
	for k, v := range p.hosts {
		hosts[k] = v
	}
	return ProxyCounts{Requests: p.requests.Load(), Connects: p.connects.Load(), Denied: p.denied.Load(), Hosts: hosts}
}

func (p *Proxy) target(hostport string) (string, bool) {
	if a, ok := p.routes[hostport]; ok {
		return a, true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, ok := p.routes[host]
	return a, ok
}

func (p *Proxy) authorized(r *http.Request) bool {
	if p.user == "" {
		return true
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.password))
	return r.Header.Get("Proxy-Authorization") == want
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(r) {
		p.denied.Add(1)
		w.Header().Set("Proxy-Authenticate", `Basic realm="pypitest"`)
		http.Error(w, "proxy credentials required", http.StatusProxyAuthRequired)
		return
	}
	hostport := r.Host
	if r.Method != http.MethodConnect {
		if r.URL.Host == "" { // not a proxy request
			http.Error(w, "pypitest proxy: only absolute-URI requests and CONNECT", http.StatusBadRequest)
			return
		}
		hostport = r.URL.Host
		if r.URL.Port() == "" {
			hostport += ":80"
		}
	}
	addr, ok := p.target(hostport)
	if !ok {
		http.Error(w, "pypitest proxy: no route to "+hostport, http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	p.hosts[hostport]++
	p.mu.Unlock()
	if r.Method == http.MethodConnect {
		p.connects.Add(1)
		p.tunnel(w, addr)
		return
	}
	p.requests.Add(1)
	p.forward(w, r, addr)
}

func (p *Proxy) tunnel(w http.ResponseWriter, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	done := make(chan struct{}, 2)
	if !p.track(conn, up) {
		return
	}
	// The hijacked reader may already hold the client's first bytes.
	go func() { io.Copy(up, buf.Reader); done <- struct{}{} }()
	go func() { io.Copy(conn, up); done <- struct{}{} }()
	<-done
	conn.Close()
	up.Close()
}

// track records a tunnel's connections so that Close ends them (the
// server's Close does not reach hijacked connections); false when the
// proxy is already closed.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	p.tunnels = append(p.tunnels, conns...)
	return true
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, addr string) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	out.Header.Del("Proxy-Connection")
	// The route decides where the connection goes; the request keeps its
	// own Host, as an upstream proxy's would.
	var d net.Dialer
	up := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives:  true,
		DisableCompression: true, // pass Content-Encoding through untouched
	}
	resp, err := up.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if strings.EqualFold(k, "Connection") {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}
