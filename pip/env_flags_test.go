package pip

import (
	"math"
	"testing"
	"time"
)

// TestMergeNetworkFlags: --proxy, --cert, --client-cert and --retries
// replace pip's configured values (and say so in Sources); unset flags
// keep them; --retries 0 is a value, not "unset".
func TestMergeNetworkFlags(t *testing.T) {
	zero, three := 0, 3
	conf := IndexConfig{Proxy: "http://conf:1", Cert: "/conf/ca.pem", ClientCert: "/conf/me.pem", Retries: 7,
		Sources: map[string]string{"proxy": "/etc/pip.conf [global]"}}
	for _, tc := range []struct {
		name                string
		o                   Options
		proxy, cert, client string
		retries             int
		proxySource         string
	}{
		{"no flags", Options{}, "http://conf:1", "/conf/ca.pem", "/conf/me.pem", 7, "/etc/pip.conf [global]"},
		{"all flags", Options{Proxy: "http://flag:2", Cert: "/f/ca.pem", ClientCert: "/f/me.pem", Retries: &three}, "http://flag:2", "/f/ca.pem", "/f/me.pem", 3, "--proxy"},
		{"--retries 0", Options{Retries: &zero}, "http://conf:1", "/conf/ca.pem", "/conf/me.pem", 0, "/etc/pip.conf [global]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mergeFlags(conf, tc.o)
			if got.Proxy != tc.proxy || got.Cert != tc.cert || got.ClientCert != tc.client || got.Retries != tc.retries {
				t.Errorf("proxy %q cert %q client-cert %q retries %d", got.Proxy, got.Cert, got.ClientCert, got.Retries)
			}
			if got.Sources["proxy"] != tc.proxySource {
				t.Errorf("proxy source %q, want %q", got.Sources["proxy"], tc.proxySource)
			}
		})
	}
	if conf.Sources["proxy"] != "/etc/pip.conf [global]" {
		t.Errorf("mergeFlags changed its input's Sources")
	}
}

func TestClientRetries(t *testing.T) {
	for _, tc := range []struct{ pip, client int }{{0, -1}, {-2, -1}, {1, 1}, {5, 5}} {
		if got := clientRetries(tc.pip); got != tc.client {
			t.Errorf("clientRetries(%d) = %d, want %d", tc.pip, got, tc.client)
		}
	}
}

func TestClientTimeout(t *testing.T) {
	for _, tc := range []struct{ pip, client time.Duration }{
		{0, time.Duration(math.MaxInt64)}, // pip: "if options.timeout" — 0 sets none
		{15 * time.Second, 15 * time.Second},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
	} {
		if got := clientTimeout(tc.pip); got != tc.client {
			t.Errorf("clientTimeout(%v) = %v, want %v", tc.pip, got, tc.client)
		}
	}
}
