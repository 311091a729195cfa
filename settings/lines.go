package settings

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keyLines maps every key of a TOML document (its parts joined by NUL,
// array elements by index) to the line it is on, for errors that come
// after decoding. go-toml's parser gives the positions; a document that
// does not parse gives what was read before the error (Decode reports it).
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			if k := e.Key(); k.Next() {
				lines[join(table)] = p.Shape(k.Node().Raw).Start.Line
			}
		case unstable.KeyValue:
			walkKeyValue(&p, lines, table, e)
		}
	}
	return lines
}

func walkKeyValue(p *unstable.Parser, lines map[string]int, prefix []string, kv *unstable.Node) {
	key := append(append([]string{}, prefix...), keyParts(kv.Key())...)
	if k := kv.Key(); k.Next() {
		lines[join(key)] = p.Shape(k.Node().Raw).Start.Line
	}
	walkValue(p, lines, key, kv.Value())
}

func walkValue(p *unstable.Parser, lines map[string]int, key []string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			walkKeyValue(p, lines, key, it.Node())
		}
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			el := append(append([]string{}, key...), fmt.Sprint(i))
			if n := it.Node(); n.Raw.Length > 0 {
				lines[join(el)] = p.Shape(n.Raw).Start.Line
			}
			walkValue(p, lines, el, it.Node())
		}
	}
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func join(key []string) string { return strings.Join(key, "\x00") }
