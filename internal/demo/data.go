package demo

import "github.com/flintads/flint/internal/model"

// The word lists and weights that demo worlds are made of.

// market is where an advertiser is based: its currency and time zones.
// Only currencies worth roughly a US dollar are used, so that the same bid
// and budget ranges make sense for every advertiser (the auction does not
// convert currencies).
type market struct {
	currency, label string
	zones           []string
}

var markets = []weighted[market]{
	{60, market{"USD", "US", []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"}}},
	{15, market{"EUR", "EU", []string{"Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam"}}},
	{8, market{"GBP", "UK", []string{"Europe/London"}}},
	{5, market{"CAD", "CA", []string{"America/Toronto", "America/Vancouver"}}},
	{5, market{"AUD", "AU", []string{"Australia/Sydney", "Australia/Melbourne"}}},
	{3, market{"SGD", "SG", []string{"Asia/Singapore"}}},
	{2, market{"CHF", "CH", []string{"Europe/Zurich"}}},
	{2, market{"NZD", "NZ", []string{"Pacific/Auckland"}}},
}

// category is a kind of business: how its brands are named, the niches
// (interests) it targets and whose creators it works with, its calls to
// action and its landing pages.
type category struct {
	names  []string
	niches []string
	ctas   []string
	paths  []string
}

var categories = []category{
	{[]string{"Skincare", "Skin Lab", "Botanicals"}, []string{"beauty", "skincare", "health"},
		[]string{"Shop now", "Learn more", "Get offer"}, []string{"", "products/serum", "collections/bestsellers", "quiz"}},
	{[]string{"Cosmetics", "Beauty", "Color Co"}, []string{"beauty", "fashion", "skincare"},
		[]string{"Shop now", "Order now", "Learn more"}, []string{"", "collections/lips", "new", "shades"}},
	{[]string{"Outfitters", "Apparel", "Supply Co"}, []string{"fashion", "outdoors", "sports"},
		[]string{"Shop now", "Learn more"}, []string{"", "collections/new-arrivals", "sale", "men", "women"}},
	{[]string{"Athletics", "Active", "Sportswear"}, []string{"fitness", "sports", "health"},
		[]string{"Shop now", "Sign up", "Learn more"}, []string{"", "running", "training", "app"}},
	{[]string{"Games", "Interactive", "Studios"}, []string{"gaming", "anime", "tech"},
		[]string{"Download", "Play game", "Install now", "Learn more"}, []string{"", "play", "download", "preregister"}},
	{[]string{"Kitchen", "Foods", "Meal Kits"}, []string{"food", "cooking", "health"},
		[]string{"Order now", "Shop now", "Get offer"}, []string{"", "menu", "recipes", "first-box"}},
	{[]string{"Coffee", "Roasters"}, []string{"food", "cooking"},
		[]string{"Shop now", "Subscribe", "Order now"}, []string{"", "subscription", "beans", "gear"}},
	{[]string{"Travel", "Getaways", "Hotels"}, []string{"travel", "outdoors", "photography"},
		[]string{"Book now", "Learn more", "Get offer"}, []string{"", "deals", "destinations", "book"}},
	{[]string{"Audio", "Electronics", "Labs"}, []string{"tech", "music", "gaming"},
		[]string{"Shop now", "Learn more", "Pre-order"}, []string{"", "headphones", "speakers", "compare"}},
	{[]string{"Pet Supply", "Pets", "Pet Food"}, []string{"pets"},
		[]string{"Shop now", "Subscribe", "Learn more"}, []string{"", "dogs", "cats", "autoship"}},
	{[]string{"Home", "Interiors", "Living"}, []string{"home", "diy", "gardening"},
		[]string{"Shop now", "Learn more"}, []string{"", "collections/living-room", "sale", "inspiration"}},
	{[]string{"Books", "Reads"}, []string{"books", "education", "parenting"},
		[]string{"Learn more", "Download", "Sign up"}, []string{"", "bestsellers", "audiobooks", "club"}},
	{[]string{"Money", "Bank", "Invest"}, []string{"finance", "crypto", "education"},
		[]string{"Sign up", "Learn more", "Download"}, []string{"", "open-account", "app", "rates"}},
	{[]string{"Motors", "Auto"}, []string{"cars", "tech"},
		[]string{"Learn more", "Book now", "Contact us"}, []string{"", "models", "test-drive", "offers"}},
	{[]string{"Music", "Records", "Sound"}, []string{"music", "dance"},
		[]string{"Listen now", "Learn more", "Download"}, []string{"", "listen", "tour", "app"}},
	{[]string{"Pictures", "Streaming", "Films"}, []string{"movies", "anime", "comedy"},
		[]string{"Watch now", "Learn more", "Subscribe"}, []string{"", "watch", "trailer", "free-trial"}},
	{[]string{"Art Supply", "Creative", "Prints"}, []string{"art", "photography", "diy"},
		[]string{"Shop now", "Learn more"}, []string{"", "paints", "classes", "gallery"}},
	{[]string{"News", "Daily", "Media"}, []string{"news", "education", "finance"},
		[]string{"Subscribe", "Read more", "Download"}, []string{"", "subscribe", "newsletter", "app"}},
}

var brandNames = []string{
	"Northwind", "Blue Fern", "Lumen", "Cedar & Co", "Atlas", "Juniper", "Maple Lane", "Solstice", "Harbor",
	"Kite", "Nova", "Pebble", "Oak & Ivy", "Sunday", "Wildflower", "Copper", "Glow", "Velvet", "Summit", "Tidal",
	"Fable", "Meadow", "Orbit", "Saffron", "Bramble", "Halcyon", "Lark", "Quill", "Riverstone", "Zephyr",
}

var firstNames = []string{
	"Mia", "Liam", "Ava", "Noah", "Zoe", "Lucas", "Aisha", "Mateo", "Yuki", "Ethan", "Priya", "Leo", "Sofia",
	"Kai", "Amara", "Diego", "Hana", "Omar", "Chloe", "Ravi", "Lena", "Jonah", "Ines", "Tariq", "Maya", "Felix",
	"Nia", "Hugo", "Emma", "Jin",
}

var lastNames = []string{
	"Chen", "Garcia", "Okafor", "Müller", "Silva", "Tanaka", "Nguyen", "Patel", "Kowalski", "Rossi", "Dubois",
	"Kim", "Haddad", "Johansson", "Santos", "Novak", "Ali", "Brown", "Costa", "Yilmaz", "Reyes", "Singh",
	"Park", "Martin", "Lopez", "Ito", "Mensah", "Walker", "Fischer", "Moreau",
}

// interests are the interest slugs that ad groups target; they are also
// creators' niches. They are the slugs `flint loadgen` gives its viewers, so
// that interest targeting finds an audience in load tests.
var interests = []string{
	"beauty", "fashion", "food", "gaming", "music", "comedy", "fitness", "travel", "tech", "pets", "sports",
	"dance", "skincare", "cooking", "diy", "movies", "anime", "cars", "education", "finance", "parenting",
	"books", "art", "photography", "outdoors", "health", "home", "gardening", "crypto", "news",
}

// nicheSubjects holds, for every interest, what its creators post about.
var nicheSubjects = map[string][]string{
	"beauty":      {"my 5-minute everyday glow routine", "testing the viral lip oil so you don't have to", "drugstore dupes that actually work"},
	"fashion":     {"5 ways to style one white shirt", "capsule wardrobe for autumn", "unboxing the drop everyone missed"},
	"food":        {"the best tacos in the city, ranked", "trying every snack at the night market", "a week of $5 lunches"},
	"gaming":      {"ranked climb, episode 12", "this build is broken right now", "cozy games for a rainy weekend"},
	"music":       {"writing a song in one hour", "covering this week's top track", "how I built this beat"},
	"comedy":      {"when the group chat goes silent", "every family dinner ever", "me explaining my job to my parents"},
	"fitness":     {"20-minute full body workout, no equipment", "what I eat after leg day", "couch to 5k, week 6 update"},
	"travel":      {"48 hours in Lisbon", "how I pack for 2 weeks in a carry-on", "hidden beaches nobody talks about"},
	"tech":        {"my desk setup tour", "5 apps that run my life", "gadgets under $50 that are actually useful"},
	"pets":        {"what my dog does while I'm at work", "my cat judging my cooking", "teaching my puppy to wait"},
	"sports":      {"the drill that changed my game", "matchday vlog from the stands", "rating every jersey this season"},
	"dance":       {"learn this routine in 60 seconds", "the trend, but make it contemporary", "rehearsal day behind the scenes"},
	"skincare":    {"the serum that fixed my texture", "morning vs night routine, explained", "testing SPF under makeup for a week"},
	"cooking":     {"one-pan lemon garlic chicken", "15-minute weeknight pasta", "the fudgiest brownies I've ever made"},
	"diy":         {"building a floating shelf from scrap wood", "fixing a wobbly table the right way", "thrift flip: lamp edition"},
	"movies":      {"movies that deserved a sequel", "ranking every film I saw this year", "the scene everyone gets wrong"},
	"anime":       {"anime to watch if you loved this season", "drawing my favourite character in 1 hour", "openings ranked"},
	"cars":        {"detailing a car that hasn't been washed in a year", "first drive review", "road trip playlist and route"},
	"education":   {"study with me: 2-hour focus session", "how I remember everything I read", "a history fact a day, day 41"},
	"finance":     {"how I budget on a first salary", "3 money mistakes I made at 22", "compound interest in 60 seconds"},
	"parenting":   {"our chaotic school morning routine", "toddler-approved snacks", "what's in my diaper bag"},
	"books":       {"books I couldn't put down this year", "reading vlog: 3 books in a weekend", "underrated fantasy series"},
	"art":         {"painting the sunset from my window", "sketchbook tour", "watercolour for total beginners"},
	"photography": {"phone photo tricks that look pro", "editing a golden hour shot", "street photography in the rain"},
	"outdoors":    {"sunrise hike worth the 4am alarm", "my ultralight camping setup", "first solo overnight trip"},
	"health":      {"my evening wind-down routine", "what a week of 8-hour sleep did", "10 minutes of yoga for tight hips"},
	"home":        {"small apartment, big glow-up", "renter-friendly kitchen makeover", "styling a bookshelf in 5 steps"},
	"gardening":   {"balcony tomatoes, week 8", "propagating plants for free", "what I'd plant if I started again"},
	"crypto":      {"explaining blockchains to my grandma", "what I learned after a year of investing", "red flags in new coins"},
	"news":        {"this week in 60 seconds", "the story everyone missed this week", "explaining the headline, simply"},
}

var captionOpeners = []string{"", "", "", "POV: ", "Honest review: ", "Quick tip: ", "Storytime: ", "Part 2: ",
	"Don't skip this: ", "Save this for later: "}

var emojis = []string{"✨", "🔥", "😂", "💪", "🙌", "❤️", "👀", "🌿", "☕", "🎮", "📚", "🐶"}

var hashtags = []string{"fyp", "foryou", "tutorial", "routine", "review", "tips", "viral", "dayinmylife", "howto"}

var commercialTracks = []string{
	"Golden Hour Drive - The Lanterns", "Neon Tides - Sola", "Paper Planes (Instrumental) - Marlowe",
	"Late Night Loops - Kumo", "Sunroof - Bright Avenue", "Slow Bloom - Aria Vale", "Weekend Mode - DJ Lio",
	"Count It Down - Juno Park", "Coastline - The Harbour Lights", "Easy Like This - Mira & The Moons",
}

var objectives = []struct {
	v     model.Objective
	label string
}{
	{model.ObjectiveReach, "Reach"},
	{model.ObjectiveVideoViews, "Video views"},
	{model.ObjectiveTraffic, "Traffic"},
	{model.ObjectiveEngagement, "Engagement"},
	{model.ObjectiveConversions, "Conversions"},
}

var campaignThemes = []string{
	"Spring Launch", "Summer Drop", "Back to School", "Holiday Gifting", "Black Friday", "New Year Reset",
	"Always On", "Brand Awareness", "Creator Collab", "Product Launch", "Retargeting", "App Installs",
}

// periods weights the authorization periods creators choose.
var periods = []weighted[int]{{80, 365}, {8, 60}, {7, 30}, {5, 7}}

var (
	bigMarkets = []string{"US", "GB", "DE", "FR", "BR", "IN", "ID", "JP", "MX", "CA", "AU", "ES", "IT", "KR",
		"TR", "PH", "VN", "TH", "PL", "NL"}
	otherMarkets = []string{"SE", "NO", "DK", "IE", "PT", "AR", "CO", "CL", "ZA", "NG", "EG", "SA", "AE", "SG",
		"MY", "NZ"}
	// countryCounts weights how many countries an ad group names (0: any).
	countryCounts = []weighted[int]{{30, 0}, {35, 1}, {20, 2}, {15, 3}}
	// ageRanges are [min, max] bounds; 0 means open.
	ageRanges = [][2]int{{18, 24}, {25, 34}, {35, 44}, {18, 34}, {25, 44}, {18, 44}, {45, 54}, {18, 0}, {55, 0}}
	genders   = []weighted[string]{{55, "female"}, {40, "male"}, {5, "other"}}
	languages = []string{"en", "es", "pt", "de", "fr", "ja", "id", "hi"}
	// countryLanguages holds which of languages are spoken in each market,
	// so that an ad group's languages are ones its countries speak.
	countryLanguages = map[string][]string{
		"US": {"en", "es"}, "GB": {"en"}, "DE": {"de"}, "FR": {"fr"}, "BR": {"pt"}, "IN": {"en", "hi"}, "ID": {"id"},
		"JP": {"ja"}, "MX": {"es"}, "CA": {"en", "fr"}, "AU": {"en"}, "ES": {"es"}, "PH": {"en"}, "NL": {"en"},
		"IE": {"en"}, "PT": {"pt"}, "AR": {"es"}, "CO": {"es"}, "CL": {"es"}, "ZA": {"en"}, "NG": {"en"},
		"AE": {"en"}, "SG": {"en"}, "MY": {"en"}, "NZ": {"en"},
	}
	// languageCounts and interestCounts weight how many an ad group names.
	languageCounts = []weighted[int]{{55, 0}, {35, 1}, {10, 2}}
	interestCounts = []weighted[int]{{40, 0}, {30, 1}, {20, 2}, {10, 3}}
)
