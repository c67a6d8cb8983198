package scorers

import (
	"bufio"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// gsm8kTestFile is GSM8K's test split in the shared data beside the
// repository (../shared/data/README.md).
var gsm8kTestFile = filepath.Join("..", "..", "..", "shared", "data", "gsm8k", "test.jsonl")

// TestGSM8KReferences reads the real GSM8K test references and checks,
// for each: the final answer is read after "####" as a plain number
// without commas; it is also the last number of the solution; it grades
// correct against itself, in a box, and as written after "####"
// (thousands commas and all); and the answer plus one grades wrong.
func TestGSM8KReferences(t *testing.T) {
	f, err := os.Open(gsm8kTestFile)
	if err != nil {
		t.Skipf("../shared/data/gsm8k absent (%v): run with the shared data beside the checkout", err)
	}
	defer f.Close()
	math, err := New(Math, "")
	if err != nil {
		t.Fatal(err)
	}
	numeric, err := New(Numeric, "")
	if err != nil {
		t.Fatal(err)
	}
	rows, withCommas := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var row struct{ Answer string }
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s:%d: %v", gsm8kTestFile, rows+1, err)
		}
		rows++
		at := gsm8kTestFile + ":" + strconv.Itoa(rows)
		ref, err := GSM8KAnswer(row.Answer)
		if err != nil {
			t.Errorf("%s: %v", at, err)
			continue
		}
		if _, ok := exactDecimal(ref); !ok {
			t.Errorf("%s: reference %q is not a plain number", at, ref)
			continue
		}
		if last, ok := LastNumberText(row.Answer); !ok || last != ref {
			t.Errorf("%s: last number %q, want the reference %q", at, last, ref)
		}
		written := strings.TrimSpace(row.Answer[strings.LastIndex(row.Answer, "####")+4:])
		if strings.Contains(written, ",") {
			withCommas++
		}
		for _, given := range []string{ref, written} {
			if !GradeAnswer(given, ref) {
				t.Errorf("%s: GradeAnswer(%q, %q) = false", at, given, ref)
			}
		}
		if got := math.Score(`So the answer is \boxed{`+written+"}.", row.Answer); got.Score != 1 {
			t.Errorf("%s: math scorer on the boxed answer %q: %+v", at, written, got)
		}
		if got := numeric.Score("The answer is "+written+".", row.Answer); got.Score != 1 {
			t.Errorf("%s: numeric scorer on %q: %+v", at, written, got)
		}
		v, _ := exactDecimal(ref)
		plusOne := v.Add(v, big.NewRat(1, 1)).RatString()
		if GradeAnswer(plusOne, ref) {
			t.Errorf("%s: GradeAnswer(%q, %q) = true", at, plusOne, ref)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows < 1000 || withCommas == 0 {
		t.Fatalf("read %d rows (%d with thousands commas); want GSM8K's 1,319 test rows", rows, withCommas)
	}
}
