//! Write transactions on SQLite when two processes share the file (the server and an admin
//! command): a transaction that reads, then writes after the other one committed, must wait its
//! turn instead of failing with "database is locked", and no update may be lost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use coopol_db::sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement};
use coopol_db::{connect, WriteTxn};

async fn read(txn: &DatabaseTransaction) -> i64 {
    let row = txn.query_one(Statement::from_string(txn.get_database_backend(), "SELECT n FROM counter")).await;
    row.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
}

async fn write(txn: &DatabaseTransaction, n: i64) -> Result<(), DbErr> {
    txn.execute_unprepared(&format!("UPDATE counter SET n = {n}")).await.map(|_| ())
}

#[tokio::test]
async fn two_processes_incrementing_the_same_row_both_succeed() {
    let dir = std::env::temp_dir().join("coopol-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("coopol_t_write_txn_{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let server = connect(&url).await.unwrap();
    let admin_command = connect(&url).await.unwrap();
    server.execute_unprepared("CREATE TABLE counter (n INTEGER NOT NULL)").await.unwrap();
    server.execute_unprepared("INSERT INTO counter (n) VALUES (0)").await.unwrap();

    // The slow one reads, dawdles while the other one runs, then writes what it read plus one.
    let slow = tokio::spawn(async move {
        let txn = server.begin_write().await?;
        let n = read(&txn).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        write(&txn, n + 1).await?;
        txn.commit().await?;
        Ok::<_, DbErr>(server)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let txn = admin_command.begin_write().await.expect("the second writer waits its turn");
    let n = read(&txn).await;
    write(&txn, n + 1).await.expect("the second writer writes");
    txn.commit().await.unwrap();
    let server = slow.await.unwrap().expect("the first writer is not refused");

    let txn = server.begin_write().await.unwrap();
    assert_eq!(read(&txn).await, 2, "an increment was lost");
    txn.commit().await.unwrap();
    drop((server, admin_command));
    let _ = std::fs::remove_file(&path);
}
