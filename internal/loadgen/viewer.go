package loadgen

import "strconv"

// Viewer is one pseudonymous viewer of the pool. Its attributes are a pure
// function of its number, so viewer v42 is the same person in every run and
// in every worker: frequency caps and targeting see a stable population.
type Viewer struct {
	N         int
	Country   string
	Age       int
	Gender    string
	Language  string
	OS        string
	Interests []string
}

// ID is the viewer's pseudonymous id, "v" and its number.
func (v Viewer) ID() string { return "v" + strconv.Itoa(v.N) }

// market is a country with its share of viewers, its languages and how
// many of its viewers use iOS.
type market struct {
	country   string
	weight    int
	languages []weighted // the rest speak nothing else in this pool
	iosPct    int
}

type weighted struct {
	value  string
	weight int
}

// markets are twenty big markets, weighted roughly by short-video audience.
var markets = []market{
	{"US", 21, []weighted{{"en", 85}, {"es", 15}}, 55},
	{"IN", 10, []weighted{{"hi", 55}, {"en", 45}}, 5},
	{"BR", 8, []weighted{{"pt", 95}, {"en", 5}}, 15},
	{"ID", 7, []weighted{{"id", 90}, {"en", 10}}, 10},
	{"GB", 6, []weighted{{"en", 100}}, 50},
	{"MX", 5, []weighted{{"es", 92}, {"en", 8}}, 20},
	{"DE", 5, []weighted{{"de", 88}, {"en", 12}}, 35},
	{"FR", 4, []weighted{{"fr", 90}, {"en", 10}}, 35},
	{"JP", 4, []weighted{{"ja", 95}, {"en", 5}}, 65},
	{"PH", 4, []weighted{{"en", 50}, {"tl", 50}}, 15},
	{"VN", 3, []weighted{{"vi", 95}, {"en", 5}}, 25},
	{"TR", 3, []weighted{{"tr", 95}, {"en", 5}}, 15},
	{"CA", 3, []weighted{{"en", 75}, {"fr", 25}}, 55},
	{"TH", 3, []weighted{{"th", 95}, {"en", 5}}, 25},
	{"ES", 3, []weighted{{"es", 90}, {"en", 10}}, 25},
	{"IT", 3, []weighted{{"it", 92}, {"en", 8}}, 30},
	{"KR", 2, []weighted{{"ko", 95}, {"en", 5}}, 30},
	{"AU", 2, []weighted{{"en", 100}}, 55},
	{"PL", 2, []weighted{{"pl", 92}, {"en", 8}}, 25},
	{"NL", 2, []weighted{{"nl", 80}, {"en", 20}}, 40},
}

// ageBands skew young, as short-video audiences do; ages run 13 to 65.
var ageBands = []struct{ lo, hi, weight int }{
	{13, 17, 10}, {18, 24, 30}, {25, 34, 30}, {35, 44, 15}, {45, 54, 10}, {55, 65, 5},
}

var genders = []weighted{{"female", 48}, {"male", 48}, {"other", 4}}

// Interests are the interest slugs viewers carry, with rough popularity.
var interests = []weighted{
	{"beauty", 6}, {"fashion", 6}, {"food", 6}, {"gaming", 6}, {"music", 6}, {"comedy", 6},
	{"fitness", 5}, {"travel", 5}, {"tech", 4}, {"pets", 4}, {"sports", 4}, {"dance", 4},
	{"skincare", 3}, {"cooking", 3}, {"diy", 3}, {"movies", 3}, {"anime", 3}, {"cars", 3},
	{"education", 2}, {"finance", 2}, {"parenting", 2}, {"books", 2}, {"art", 2}, {"photography", 2},
	{"outdoors", 2}, {"health", 2}, {"home", 2}, {"gardening", 1}, {"crypto", 1}, {"news", 1},
}

// interestCounts weighs how many interests a viewer has: 0, 1, 2 or 3.
var interestCounts = []int{15, 35, 30, 20}

// viewerAt returns viewer n of the pool.
func viewerAt(n int) Viewer {
	s := splitmix{uint64(n)*0x9e3779b97f4a7c15 ^ 0x666c696e74} // "flint"
	m := &markets[s.pick(len(markets), func(i int) int { return markets[i].weight })]
	v := Viewer{N: n, Country: m.country}
	v.Language = m.languages[s.pick(len(m.languages), func(i int) int { return m.languages[i].weight })].value
	band := ageBands[s.pick(len(ageBands), func(i int) int { return ageBands[i].weight })]
	v.Age = band.lo + int(s.next()%uint64(band.hi-band.lo+1))
	v.Gender = genders[s.pick(len(genders), func(i int) int { return genders[i].weight })].value
	v.OS = "android"
	if int(s.next()%100) < m.iosPct {
		v.OS = "ios"
	}
	k := s.pick(len(interestCounts), func(i int) int { return interestCounts[i] })
	if k > 0 {
		v.Interests = make([]string, 0, k)
	}
	for len(v.Interests) < k {
		slug := interests[s.pick(len(interests), func(i int) int { return interests[i].weight })].value
		if !contains(v.Interests, slug) {
			v.Interests = append(v.Interests, slug)
		}
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// splitmix is the SplitMix64 generator: tiny, fast and good enough to turn
// a viewer number into a stream of independent-looking attributes.
type splitmix struct{ s uint64 }

func (g *splitmix) next() uint64 {
	g.s += 0x9e3779b97f4a7c15
	z := g.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// pick returns an index in [0, n) with probability proportional to weight(i).
func (g *splitmix) pick(n int, weight func(int) int) int {
	total := 0
	for i := range n {
		total += weight(i)
	}
	u := int(g.next() % uint64(total))
	for i := range n {
		if u -= weight(i); u < 0 {
			return i
		}
	}
	return n - 1
}
