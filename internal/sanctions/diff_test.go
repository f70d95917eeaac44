package sanctions

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	old := []Entry{
		{List: "un", Ref: "KPi.001", Name: "KIM A", Programs: []string{"DPRK"}},
		{List: "un", Ref: "KPi.002", Name: "RI B", Programs: []string{"DPRK"}, Aliases: []Alias{{Name: "Li B"}}},
		{List: "un", Ref: "KPi.003", Name: "PAK C", Programs: []string{"DPRK"}, Comments: "old text"},
		{List: "un", Ref: "QDi.001", Name: "GONE D", Programs: []string{"Al-Qaida"}},
	}
	new := []Entry{
		{List: "un", Ref: "KPi.001", Name: "KIM  A", Programs: []string{"DPRK"}},                                    // spacing only
		{List: "un", Ref: "KPi.002", Name: "RI B", Programs: []string{"DPRK"}, Aliases: []Alias{{Name: "Ri Bong"}}}, // alias swapped
		{List: "un", Ref: "KPi.003", Name: "PAK C", Programs: []string{"DPRK"}, Comments: "new text"},               // comments only
		{List: "un", Ref: "KPi.004", Name: "CHOE E", Programs: []string{"DPRK"}, ListedOn: "2026-01-02"},            // new
	}
	changes := Diff(old, new)
	var got []string
	for _, c := range changes {
		got = append(got, c.Kind+" "+c.Ref+" "+c.Name+" ["+c.Program+"] "+c.Detail)
	}
	want := []string{
		"added KPi.004 CHOE E [DPRK] ",
		"removed QDi.001 GONE D [Al-Qaida] ",
		"amended KPi.002 RI B [DPRK] aliases added: Ri Bong; aliases removed: Li B",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if changes[2].Old == nil || changes[2].Old.Aliases[0].Name != "Li B" {
		t.Errorf("amended change lacks the old entry: %+v", changes[2].Old)
	}
	if len(Diff(new, new)) != 0 {
		t.Error("a list differs from itself")
	}
}

func TestDiffUN2017To2026(t *testing.T) {
	old := parseUNFile(t, "un/consolidated-2017-07-03.xml")
	new := parseUNFile(t, "un/consolidated-2026-02-27.xml")
	counts := map[string]int{}
	programs := map[string]int{}
	for _, c := range Diff(old, new) {
		counts[c.Kind]++
		if c.Kind == Added {
			programs[c.Program]++
		}
	}
	t.Logf("UN 2017-07-03 → 2026-02-27: %v; additions by regime: %v", counts, programs)
	// Net change must match the entry counts; DPRK designations grew a lot
	// after mid-2017 (resolutions 2371, 2375, 2397).
	if counts[Added]-counts[Removed] != len(new)-len(old) {
		t.Errorf("added %d - removed %d != %d - %d", counts[Added], counts[Removed], len(new), len(old))
	}
	if programs["DPRK"] < 40 || counts[Removed] < 50 || counts[Amended] < 20 || counts[Amended] > len(new)/2 {
		t.Errorf("implausible diff: %v, DPRK additions %d", counts, programs["DPRK"])
	}
}
