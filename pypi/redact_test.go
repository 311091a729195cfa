package pypi

import (
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:pass@host/simple/", "https://****@host/simple/"},
		{"https://token@host/simple/", "https://****@host/simple/"},
		{"https://host/simple/", "https://host/simple/"},
		{"https://host/a@b/", "https://host/a@b/"},
		{"https://u:p@w@host:8080?q#f", "https://****@host:8080?q#f"},
		{`fetch "https://a:b@x/" and https://c@y/z: 401`, `fetch "https://****@x/" and https://****@y/z: 401`},
		{"no url here", "no url here"},
		{"https://a:b@", "https://****@"},
		{"://@", "://****@"},
		{"", ""},
		// pip's former redactText (pip output)
		{"Looking in indexes: https://user:secret@host/simple", "Looking in indexes: https://****@host/simple"},
		{"GET https://tok3n@host/x and http://a:b@c/d", "GET https://****@host/x and http://****@c/d"},
		{"no url here, just a@b", "no url here, just a@b"},
		// pip's former redactURLs (IndexConfig.Redacted), as TestRedacted there
		{"https://user:pa%40ss@host.example/simple", "https://****@host.example/simple"},
		{"https://u:p@y.example/links/a@b", "https://****@y.example/links/a@b"},
		{"/opt/wheels", "/opt/wheels"},
		{"http://a:b@p:1", "http://****@p:1"},
		// Where the three disagreed, as pip's redact_auth_from_url reads the
		// authority (to the first of "/?#", user information to its last "@").
		{`https://host\a@b/x`, "https://****@b/x"},              // was kept whole: "\\" ended the authority
		{`https://host"@x`, "https://****@x"},                   // likewise a quote
		{"https://h'x@y/", "https://****@y/"},                   // and an apostrophe
		{"https://<a>@y/", "https://****@y/"},                   // and "<", ">"
		{"https://u:p@w@host/", "https://****@host/"},           // redactText kept "w@", a piece of the password
		{"https://host?x=a@b", "https://host?x=a@b"},            // redactText masked a query as credentials
		{"https://tok@host#frag@x", "https://****@host#frag@x"}, // redactText masked through the fragment
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseErrorsHideCredentials makes pages fail in each way that puts a
// URL into the error and checks no credential leaks.
func TestParseErrorsHideCredentials(t *testing.T) {
	page, _ := url.Parse("https://alice:hunter2@idx.example/simple/x/")
	tests := []struct {
		name  string
		parse func(io.Reader, *url.URL, func(File) error) error
		body  string
	}{
		{"bad IPv6 href", ParseHTML, `<a href="https://bob:pw2@[::1/x-1.0.tar.gz">x</a>`},
		{"bad base", ParseHTML, `<base href="https://bob:pw2@[zz]/"><a href="x-1.0.tar.gz">x</a>`},
		{"bad JSON url", ParseJSON, `{"files":[{"url":"https://bob:pw2@[1.2.3.4]/x.tar.gz"}]}`},
		{"JSON syntax", ParseJSON, `{"files":[{"url": nope}]}`},
		{"JSON api-version", ParseJSON, `{"meta":{"api-version":"2.0"},"files":[]}`},
		{"reader failure", ParseHTML, "\x00"},
	}
	for _, tt := range tests {
		var r io.Reader = strings.NewReader(tt.body)
		if tt.name == "reader failure" {
			r = io.MultiReader(r, errReader{errors.New("read from https://carol:pw3@idx.example/: reset")})
		}
		err := tt.parse(r, page, func(File) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, secret := range []string{"hunter2", "alice", "pw2", "bob", "carol", "pw3"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error %q contains %q", tt.name, err, secret)
			}
		}
	}
}
