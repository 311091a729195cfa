package pypi

import (
	"reflect"
	"testing"
	"time"
)

func TestParseJSONCases(t *testing.T) {
	const page = "https://idx.example/simple/pkg/"
	one := func(f File) []File {
		if f.Filename == "" {
			f.Filename = "p-1.tar.gz"
		}
		if f.URL == "" {
			f.URL = page + "p-1.tar.gz"
		}
		if f.Size == 0 {
			f.Size = -1
		}
		return []File{f}
	}
	tests := []struct {
		name, body string
		want       []File
		err        bool
	}{
		{name: "minimal", body: `{"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "no files key", body: `{"meta":{"api-version":"1.0"},"name":"pkg"}`},
		{name: "api-version 1.x", body: `{"meta":{"api-version":"1.4"},"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "api-version 2 before files", body: `{"meta":{"api-version":"2.0"},"files":[{"url":"p-1.tar.gz"}]}`, err: true},
		{name: "api-version 2 after files", body: `{"files":[],"meta":{"api-version":"2.0"}}`, err: true},
		{name: "api-version not a string", body: `{"meta":{"api-version":1.0},"files":[]}`, err: true},
		{name: "meta not an object", body: `{"meta":[],"files":[]}`, err: true},
		{name: "full PEP 691/700 entry", body: `{"files":[{"filename":"ignored","url":"p-1.tar.gz#md5=frag","hashes":{"sha256":"s","md5":"json"},` +
			`"requires-python":">=3.8","yanked":"broken","core-metadata":{"sha256":"m","blake2b":"dropped"},"size":1234,"upload-time":"2024-01-01T00:00:00Z"}],` +
			`"versions":["1"]}`,
			want: one(File{Hashes: map[string]string{"sha256": "s", "md5": "frag"}, RequiresPython: ">=3.8", Yanked: true, YankedReason: "broken",
				CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": "m"}, Size: 1234, UploadTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})},
		{name: "upload-time as PyPI writes it", body: `{"files":[{"url":"p-1.tar.gz","upload-time":"2025-03-01T12:34:56.123456Z"}]}`,
			want: one(File{UploadTime: time.Date(2025, 3, 1, 12, 34, 56, 123456000, time.UTC)})},
		{name: "upload-time with an offset is kept in UTC", body: `{"files":[{"url":"p-1.tar.gz","upload-time":"2025-03-01T14:34:56+02:00"}]}`,
			want: one(File{UploadTime: time.Date(2025, 3, 1, 12, 34, 56, 0, time.UTC)})},
		{name: "upload-time with a space", body: `{"files":[{"url":"p-1.tar.gz","upload-time":"2025-03-01 12:34:56Z"}]}`,
			want: one(File{UploadTime: time.Date(2025, 3, 1, 12, 34, 56, 0, time.UTC)})},
		{name: "upload-time unreadable is unknown", body: `{"files":[{"url":"p-1.tar.gz","upload-time":"yesterday"}]}`, want: one(File{})},
		{name: "upload-time not a string is unknown", body: `{"files":[{"url":"p-1.tar.gz","upload-time":1700000000}]}`, want: one(File{})},
		{name: "upload-time null is unknown", body: `{"files":[{"url":"p-1.tar.gz","upload-time":null}]}`, want: one(File{})},
		{name: "yanked true", body: `{"files":[{"url":"p-1.tar.gz","yanked":true}]}`, want: one(File{Yanked: true})},
		{name: "yanked empty string is not yanked", body: `{"files":[{"url":"p-1.tar.gz","yanked":""}]}`, want: one(File{})},
		{name: "old metadata key", body: `{"files":[{"url":"p-1.tar.gz","dist-info-metadata":true}]}`, want: one(File{CoreMetadata: true})},
		{name: "core-metadata false hides the old key", body: `{"files":[{"url":"p-1.tar.gz","core-metadata":false,"dist-info-metadata":true}]}`, want: one(File{})},
		{name: "url missing or null", body: `{"files":[{"filename":"x"},{"url":null}]}`},
		{name: "UTF-8 BOM", body: "\uFEFF" + `{"files":[{"url":"p-1.tar.gz"}]}`, want: one(File{})},
		{name: "bad size ignored", body: `{"files":[{"url":"p-1.tar.gz","size":"12"}]}`, want: one(File{})},
		{name: "url not a string", body: `{"files":[{"url":5}]}`, err: true},
		{name: "file not an object", body: `{"files":["p-1.tar.gz"]}`, err: true},
		{name: "file null", body: `{"files":[null]}`, err: true},
		{name: "files null", body: `{"files":null}`, err: true},
		{name: "hashes a list", body: `{"files":[{"url":"p-1.tar.gz","hashes":[]}]}`, err: true},
		{name: "requires-python a number", body: `{"files":[{"url":"p-1.tar.gz","requires-python":3}]}`, err: true},
		{name: "duplicate files key", body: `{"files":[],"files":[]}`, err: true},
		{name: "top level array", body: `[]`, err: true},
		{name: "trailing data", body: `{"files":[]} {}`, err: true},
		{name: "truncated", body: `{"files":[{"url":"p-1.tar.gz"}`, err: true},
		{name: "empty body", body: ``, err: true},
	}
	for _, tt := range tests {
		got, err := parseAll(ParseJSON, tt.body, page)
		if (err != nil) != tt.err {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
