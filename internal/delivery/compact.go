package delivery

// compact copies the current entries, their strings and lists into new
// slabs, leaving the dead ones to the garbage collector once no decision
// reads an older snapshot. The copy is made without blocking anyone; only
// the swap holds e.mu. The writer calls it, and publishes a snapshot of
// the new slabs right after (rerank).
func (e *Engine) compact(ix *index) {
	var entries slab[entry]
	var texts textArena
	var lists slab[uint32]
	ads := make(map[uint64]int32, len(ix.ads))
	oldLists, oldTexts := ix.lists.view(), ix.texts.view()
	for k, i := range ix.ads {
		old := ix.entries.at(i)
		j := entries.add()
		en := entries.at(j)
		*en = entry{adKey: old.adKey, advertiserKey: old.advertiserKey, adGroupKey: old.adGroupKey,
			campaignKey: old.campaignKey, postKey: old.postKey, creatorKey: old.creatorKey, sparkPostKey: old.sparkPostKey,
			ends: old.ends, start: old.start, end: old.end, billing: old.billing, bid: old.bid, maxPrice: old.maxPrice,
			ageMin: old.ageMin, ageMax: old.ageMax, genders: old.genders, oses: old.oses, freqImps: old.freqImps,
			freqDays: old.freqDays, paced: old.paced, enabled: old.enabled, group: old.group, camp: old.camp,
			auth: old.auth, post: old.post, rates: old.rates}
		en.dead.Store(old.dead.Load()) // stopped by a failed change: stays stopped
		en.text = texts.copyText(oldTexts.of(old))
		en.countries = addList(&lists, oldLists.values(old.countries))
		en.langs = addList(&lists, oldLists.values(old.langs))
		en.interests = addList(&lists, oldLists.values(old.interests))
		ads[k] = j
	}
	e.mu.Lock()
	ix.entries, ix.texts, ix.lists, ix.ads, ix.dead = entries, texts, lists, ads, 0
	e.mu.Unlock()
}
