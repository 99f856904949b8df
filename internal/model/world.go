package model

// World is a whole set of objects stored at once (store.Seeder): the demo
// world, or a load test's. Each object refers only to objects of the same
// world or to objects already stored.
type World struct {
	Accounts       []Account
	Posts          []Post
	Authorizations []Authorization
	AdCodes        []AdCode
	SparkPosts     []SparkPost
	Campaigns      []Campaign
	AdGroups       []AdGroup
	Ads            []Ad
}

// Objects returns how many objects w holds.
func (w *World) Objects() int {
	return len(w.Accounts) + len(w.Posts) + len(w.Authorizations) + len(w.AdCodes) + len(w.SparkPosts) +
		len(w.Campaigns) + len(w.AdGroups) + len(w.Ads)
}
