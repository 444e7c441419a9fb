// Apollo Client 4 (core, no React): Relay-style pagination of `participants`
// with `relayStylePagination(["filter"])` on the `Query` root type. Pages
// through with `fetchMore` until `hasNextPage` is false and checks that the
// cached list holds exactly `totalCount` participants, none twice. The type
// policy only applies when the root query type is called `Query`.
import assert from "node:assert/strict";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";
import { adminToken, check, httpUrl, timeout } from "./lib.mjs";

const PARTICIPANTS = gql`
  query CompatParticipants($after: String) {
    participants(first: 5, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          displayName
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

await check("apollo-pagination", async () => {
  const client = new ApolloClient({
    link: new HttpLink({
      uri: httpUrl(),
      fetch: globalThis.fetch,
      headers: { authorization: `Bearer ${adminToken()}` },
    }),
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { participants: relayStylePagination(["filter"]) } },
      },
    }),
  });
  const observable = client.watchQuery({ query: PARTICIPANTS, variables: { after: null } });
  let subscription;
  let latest;
  const waitFirst = timeout(15_000, "no first page within 15 s");
  const first = await Promise.race([
    new Promise((resolve, reject) => {
      subscription = observable.subscribe({
        next: (result) => {
          latest = result;
          if (result.error) reject(result.error);
          else if (result.dataState === "complete") resolve(result);
        },
        error: reject,
      });
    }),
    waitFirst,
  ]).finally(() => waitFirst.cancel());

  const totalCount = first.data.participants.totalCount;
  assert.ok(Number.isInteger(totalCount) && totalCount > 5,
    `expected more than one page of participants, totalCount is ${totalCount}`);
  let pageInfo = first.data.participants.pageInfo;
  let pages = 1;
  while (pageInfo.hasNextPage) {
    assert.ok(pages < 100, "more than 100 pages: hasNextPage never became false");
    assert.ok(pageInfo.endCursor, `page ${pages} has hasNextPage but no endCursor`);
    const page = await observable.fetchMore({ variables: { after: pageInfo.endCursor } });
    pageInfo = page.data.participants.pageInfo;
    pages += 1;
  }

  const cached = client.readQuery({ query: PARTICIPANTS, variables: { after: null } });
  assert.ok(cached?.participants, "the cache holds no participants list after paging");
  const ids = cached.participants.edges.map((edge) => edge.node.id);
  const unique = new Set(ids);
  assert.equal(ids.length, totalCount,
    `the cached list has ${ids.length} items after ${pages} pages; totalCount is ${totalCount}` +
    " (relayStylePagination did not merge the pages: is the root type called Query?)");
  assert.equal(unique.size, ids.length,
    `the cached list has ${ids.length - unique.size} duplicate ids`);
  assert.equal(cached.participants.pageInfo.hasNextPage, false,
    "the merged pageInfo still says hasNextPage");
  // The watched query is told of the merged list after the cache
  // broadcasts, which may come a tick after `fetchMore` resolves.
  const seen = () => latest?.data?.participants?.edges?.length;
  for (let waited = 0; seen() !== totalCount && waited < 2_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(seen(), totalCount,
    `the watched query emitted ${seen()} items, not ${totalCount}`);
  subscription.unsubscribe();
  client.stop();
  return `${totalCount} participants in ${pages} pages of 5, merged in the cache, no duplicates`;
});
