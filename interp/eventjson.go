package interp

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// marshalEvent encodes e exactly as json.Marshal does (the test checks
// byte equality), without reflection: events are written twice per stage
// and reflection was the largest part of the per-stage journaling cost.
func marshalEvent(e *Event) ([]byte, error) {
	if e.Metrics != nil || math.IsNaN(e.DurationMS) || math.IsInf(e.DurationMS, 0) {
		return json.Marshal(e) // rare: progress metrics, or an error to report
	}
	b := make([]byte, 0, 256+len(e.Outputs)+len(e.Error)+len(e.Reason)+len(e.Message))
	b = append(b, `{"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendStringField(b, "type", e.Type, false)
	b = appendStringField(b, "run_id", e.RunID, true)
	b = appendStringField(b, "dir", e.Dir, true)
	b = appendIntField(b, "attempt", e.Attempt)
	b = appendStringField(b, "stage", e.Stage, true)
	b = appendStringField(b, "kind", e.Kind, true)
	b = appendStringField(b, "hash", e.Hash, true)
	if e.Resume {
		b = append(b, `,"resume":true`...)
	}
	if e.DurationMS != 0 {
		b = append(b, `,"duration_ms":`...)
		b = appendFloat(b, e.DurationMS)
	}
	if len(e.Outputs) > 0 {
		b = append(b, `,"outputs":`...)
		var err error
		if b, err = appendCompact(b, e.Outputs); err != nil {
			return nil, err
		}
	}
	if e.Redacted {
		b = append(b, `,"redacted":true`...)
	}
	b = appendStringField(b, "error", e.Error, true)
	b = appendStringField(b, "reason", e.Reason, true)
	b = appendStringField(b, "status", e.Status, true)
	b = appendStringField(b, "port", e.Port, true)
	b = appendStringField(b, "adapter", e.Adapter, true)
	b = appendIntField(b, "done", e.Done)
	b = appendIntField(b, "total", e.Total)
	b = appendStringField(b, "unit", e.Unit, true)
	b = appendStringField(b, "message", e.Message, true)
	return append(b, '}'), nil
}

func appendStringField(b []byte, key, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendIntField(b []byte, key string, v int) []byte {
	if v == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, int64(v), 10)
}

// appendFloat formats like encoding/json: 'f' notation unless the
// exponent is very small or large, then 'e' with a short exponent.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b) - start
		if n >= 4 && b[len(b)-4] == 'e' && b[len(b)-3] == '-' && b[len(b)-2] == '0' {
			b[len(b)-2] = b[len(b)-1]
			b = b[:len(b)-1]
		}
	}
	return b
}

// appendCompact appends raw JSON, compacted as json.Marshal compacts a
// RawMessage (and HTML-escaped as it does).
func appendCompact(b []byte, raw json.RawMessage) ([]byte, error) {
	if json.Valid(raw) && isCompact(raw) {
		return append(b, raw...), nil
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}

// isCompact reports whether raw has no insignificant whitespace and no
// characters json.Marshal would escape, so it can be copied as is.
func isCompact(raw []byte) bool {
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf:
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped like json.Marshal
// (HTML characters, U+2028/2029 and invalid UTF-8 included).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
