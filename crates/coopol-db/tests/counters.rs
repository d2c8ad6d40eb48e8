//! The counters that triggers keep (`account_stats`, `status_stats`) always say what counting
//! the rows says, whatever the order of posts, replies, boosts, deletions, favourites and
//! follows (requested, accepted, moved, ended), on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;

use coopol_db::entities::{accounts, favourites, follows, statuses};
use coopol_db::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use coopol_db::{batch, testing, Db};

/// A small deterministic generator: the same sequence of operations on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        usize::try_from((self.0 >> 33) % n as u64).unwrap()
    }
}

async fn account(db: &Db, name: &str) -> accounts::Model {
    testing::insert_account(db, name, None, &format!("https://local.test/users/{name}")).await.unwrap()
}

async fn post(db: &Db, author: i64, reply_to: Option<i64>, boost_of: Option<i64>) -> i64 {
    let id = coopol_core::new_id();
    statuses::ActiveModel {
        id: Set(id),
        uri: Set(format!("https://local.test/statuses/{id}")),
        url: Set(format!("https://local.test/statuses/{id}")),
        account_id: Set(author),
        in_reply_to_id: Set(reply_to),
        reblog_of_id: Set(boost_of),
        content: Set("<p>hi</p>".into()),
        spoiler_text: Set(String::new()),
        sensitive: Set(false),
        visibility: Set("public".into()),
        local: Set(true),
        created_at: Set(coopol_db::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    id
}

/// What counting the rows says, for comparison.
async fn recount(
    db: &Db,
    people: &[accounts::Model],
    posts: &[i64],
) -> (HashMap<i64, [u64; 3]>, HashMap<i64, [u64; 3]>) {
    let mut by_account = HashMap::new();
    for a in people {
        let accepted = follows::Column::State.eq("accepted");
        let n_statuses = statuses::Entity::find().filter(statuses::Column::AccountId.eq(a.id)).count(db).await.unwrap();
        let n_following = follows::Entity::find()
            .filter(follows::Column::AccountId.eq(a.id))
            .filter(accepted.clone())
            .count(db)
            .await
            .unwrap();
        let n_followers = follows::Entity::find()
            .filter(follows::Column::TargetAccountId.eq(a.id))
            .filter(accepted)
            .count(db)
            .await
            .unwrap();
        by_account.insert(a.id, [n_statuses, n_following, n_followers]);
    }
    let mut by_status = HashMap::new();
    for &s in posts {
        let replies = statuses::Entity::find().filter(statuses::Column::InReplyToId.eq(s)).count(db).await.unwrap();
        let boosts = statuses::Entity::find().filter(statuses::Column::ReblogOfId.eq(s)).count(db).await.unwrap();
        let favs = favourites::Entity::find().filter(favourites::Column::StatusId.eq(s)).count(db).await.unwrap();
        by_status.insert(s, [replies, boosts, favs]);
    }
    (by_account, by_status)
}

#[tokio::test]
async fn counters_agree_with_counting_after_any_sequence_of_changes() {
    for (backend, db) in testing::all().await.unwrap() {
        let people =
            [account(&db, "ana").await, account(&db, "bo").await, account(&db, "cy").await, account(&db, "di").await];
        let mut posts: Vec<i64> = vec![];
        let mut rng = Lcg(7);
        for step in 0..400 {
            let who = people[rng.below(people.len())].id;
            let other = people[rng.below(people.len())].id;
            match rng.below(8) {
                0 | 1 => posts.push(post(&db, who, None, None).await),
                2 if !posts.is_empty() => {
                    let parent = posts[rng.below(posts.len())];
                    posts.push(post(&db, who, Some(parent), None).await);
                }
                3 if !posts.is_empty() => {
                    let original = posts[rng.below(posts.len())];
                    posts.push(post(&db, who, None, Some(original)).await);
                }
                4 if !posts.is_empty() => {
                    // Deleting a status leaves its replies and boosts pointing nowhere, as the
                    // service does before it removes them: detach them first.
                    let gone = posts.swap_remove(rng.below(posts.len()));
                    for child in statuses::Entity::find()
                        .filter(statuses::Column::InReplyToId.eq(gone).or(statuses::Column::ReblogOfId.eq(gone)))
                        .all(&db)
                        .await
                        .unwrap()
                    {
                        let mut m = child.into_active_model();
                        m.in_reply_to_id = Set(None);
                        m.reblog_of_id = Set(None);
                        m.update(&db).await.unwrap();
                    }
                    favourites::Entity::delete_many()
                        .filter(favourites::Column::StatusId.eq(gone))
                        .exec(&db)
                        .await
                        .unwrap();
                    statuses::Entity::delete_by_id(gone).exec(&db).await.unwrap();
                }
                5 if !posts.is_empty() => {
                    let target = posts[rng.below(posts.len())];
                    let existing = favourites::Entity::find()
                        .filter(favourites::Column::AccountId.eq(who))
                        .filter(favourites::Column::StatusId.eq(target))
                        .one(&db)
                        .await
                        .unwrap();
                    match existing {
                        Some(f) => {
                            favourites::Entity::delete_by_id(f.id).exec(&db).await.unwrap();
                        }
                        None => {
                            let id = coopol_core::new_id();
                            favourites::ActiveModel {
                                id: Set(id),
                                account_id: Set(who),
                                status_id: Set(target),
                                uri: Set(format!("https://local.test/likes/{id}")),
                                created_at: Set(coopol_db::now()),
                            }
                            .insert(&db)
                            .await
                            .unwrap();
                        }
                    }
                }
                6 if who != other => {
                    let existing = follows::Entity::find()
                        .filter(follows::Column::AccountId.eq(who))
                        .filter(follows::Column::TargetAccountId.eq(other))
                        .one(&db)
                        .await
                        .unwrap();
                    match existing {
                        // Pending: accepted now. Accepted: ended.
                        Some(f) if f.state == "pending" => {
                            let mut m = f.into_active_model();
                            m.state = Set("accepted".into());
                            m.update(&db).await.unwrap();
                        }
                        Some(f) => {
                            follows::Entity::delete_by_id(f.id).exec(&db).await.unwrap();
                        }
                        None => {
                            let id = coopol_core::new_id();
                            follows::ActiveModel {
                                id: Set(id),
                                account_id: Set(who),
                                target_account_id: Set(other),
                                uri: Set(format!("https://local.test/follows/{id}")),
                                state: Set(if step % 2 == 0 { "pending" } else { "accepted" }.into()),
                                created_at: Set(coopol_db::now()),
                                notify: Set(false),
                                show_reblogs: Set(true),
                            }
                            .insert(&db)
                            .await
                            .unwrap();
                        }
                    }
                }
                7 if who != other => {
                    // A move: every follow of `other` now targets `who` (as an account move does).
                    for f in follows::Entity::find()
                        .filter(follows::Column::TargetAccountId.eq(other))
                        .all(&db)
                        .await
                        .unwrap()
                    {
                        let taken = follows::Entity::find()
                            .filter(follows::Column::AccountId.eq(f.account_id))
                            .filter(follows::Column::TargetAccountId.eq(who))
                            .count(&db)
                            .await
                            .unwrap();
                        if taken == 0 && f.account_id != who {
                            let mut m = f.into_active_model();
                            m.target_account_id = Set(who);
                            m.update(&db).await.unwrap();
                        }
                    }
                }
                _ => {}
            }
        }
        let (by_account, by_status) = recount(&db, &people, &posts).await;
        let refs: Vec<&accounts::Model> = people.iter().collect();
        let facts = batch::account_facts(&db, &refs).await.unwrap();
        for a in &people {
            let kept = [
                facts.statuses.get(&a.id).copied().unwrap_or(0),
                facts.following.get(&a.id).copied().unwrap_or(0),
                facts.followers.get(&a.id).copied().unwrap_or(0),
            ];
            assert_eq!(kept, by_account[&a.id], "{backend}: statuses, following, followers of {}", a.username);
            let latest = statuses::Entity::find()
                .filter(statuses::Column::AccountId.eq(a.id))
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .max_by_key(|s| s.id)
                .map(|s| s.created_at);
            assert_eq!(facts.last_status_at.get(&a.id).copied(), latest, "{backend}: last status of {}", a.username);
        }
        let status_facts = batch::status_facts(&db, &posts, None).await.unwrap();
        for s in &posts {
            let kept = [
                status_facts.replies.get(s).copied().unwrap_or(0),
                status_facts.reblogs.get(s).copied().unwrap_or(0),
                status_facts.favourites.get(s).copied().unwrap_or(0),
            ];
            assert_eq!(kept, by_status[s], "{backend}: replies, boosts, favourites of status {s}");
        }
        assert!(by_account.values().any(|c| c[0] > 5), "{backend}: the sequence posted");
        assert!(by_status.values().any(|c| c[2] > 0), "{backend}: the sequence favourited");
        db.execute_unprepared("SELECT 1").await.unwrap();
    }
}
