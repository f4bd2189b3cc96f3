/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment PluginCard on Plugin {\n  id\n  slug\n  name\n  summary\n  category\n  tags\n  downloadCount\n  featured\n  publisher {\n    id\n    handle\n    displayName\n    verifiedPublisher\n  }\n  rating {\n    average\n    count\n  }\n  latestVersion {\n    id\n    version\n  }\n}": typeof types.PluginCardFragmentDoc,
    "query Viewer {\n  viewer {\n    id\n    handle\n    displayName\n    role\n    verifiedPublisher\n  }\n}": typeof types.ViewerDocument,
    "query MarketplaceSearch($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean, $sort: PluginSort, $first: Int, $after: String) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    sort: $sort\n    first: $first\n    after: $after\n  ) {\n    edges {\n      cursor\n      node {\n        ...PluginCard\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery MarketplaceFacets($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    first: 1\n  ) {\n    facets {\n      categories {\n        name\n        count\n      }\n      tags {\n        name\n        count\n      }\n      hooks {\n        name\n        count\n      }\n      permissions {\n        name\n        count\n      }\n    }\n  }\n}\n\nquery FeaturedPlugins {\n  featuredPlugins(first: 6) {\n    edges {\n      node {\n        ...PluginCard\n      }\n    }\n  }\n}": typeof types.MarketplaceSearchDocument,
};
const documents: Documents = {
    "fragment PluginCard on Plugin {\n  id\n  slug\n  name\n  summary\n  category\n  tags\n  downloadCount\n  featured\n  publisher {\n    id\n    handle\n    displayName\n    verifiedPublisher\n  }\n  rating {\n    average\n    count\n  }\n  latestVersion {\n    id\n    version\n  }\n}": types.PluginCardFragmentDoc,
    "query Viewer {\n  viewer {\n    id\n    handle\n    displayName\n    role\n    verifiedPublisher\n  }\n}": types.ViewerDocument,
    "query MarketplaceSearch($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean, $sort: PluginSort, $first: Int, $after: String) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    sort: $sort\n    first: $first\n    after: $after\n  ) {\n    edges {\n      cursor\n      node {\n        ...PluginCard\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery MarketplaceFacets($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    first: 1\n  ) {\n    facets {\n      categories {\n        name\n        count\n      }\n      tags {\n        name\n        count\n      }\n      hooks {\n        name\n        count\n      }\n      permissions {\n        name\n        count\n      }\n    }\n  }\n}\n\nquery FeaturedPlugins {\n  featuredPlugins(first: 6) {\n    edges {\n      node {\n        ...PluginCard\n      }\n    }\n  }\n}": types.MarketplaceSearchDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment PluginCard on Plugin {\n  id\n  slug\n  name\n  summary\n  category\n  tags\n  downloadCount\n  featured\n  publisher {\n    id\n    handle\n    displayName\n    verifiedPublisher\n  }\n  rating {\n    average\n    count\n  }\n  latestVersion {\n    id\n    version\n  }\n}"): (typeof documents)["fragment PluginCard on Plugin {\n  id\n  slug\n  name\n  summary\n  category\n  tags\n  downloadCount\n  featured\n  publisher {\n    id\n    handle\n    displayName\n    verifiedPublisher\n  }\n  rating {\n    average\n    count\n  }\n  latestVersion {\n    id\n    version\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    id\n    handle\n    displayName\n    role\n    verifiedPublisher\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    id\n    handle\n    displayName\n    role\n    verifiedPublisher\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MarketplaceSearch($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean, $sort: PluginSort, $first: Int, $after: String) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    sort: $sort\n    first: $first\n    after: $after\n  ) {\n    edges {\n      cursor\n      node {\n        ...PluginCard\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery MarketplaceFacets($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    first: 1\n  ) {\n    facets {\n      categories {\n        name\n        count\n      }\n      tags {\n        name\n        count\n      }\n      hooks {\n        name\n        count\n      }\n      permissions {\n        name\n        count\n      }\n    }\n  }\n}\n\nquery FeaturedPlugins {\n  featuredPlugins(first: 6) {\n    edges {\n      node {\n        ...PluginCard\n      }\n    }\n  }\n}"): (typeof documents)["query MarketplaceSearch($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean, $sort: PluginSort, $first: Int, $after: String) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    sort: $sort\n    first: $first\n    after: $after\n  ) {\n    edges {\n      cursor\n      node {\n        ...PluginCard\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery MarketplaceFacets($query: String, $category: String, $tags: [String!], $hook: String, $permission: String, $verifiedOnly: Boolean) {\n  plugins(\n    query: $query\n    category: $category\n    tags: $tags\n    hook: $hook\n    permission: $permission\n    verifiedOnly: $verifiedOnly\n    first: 1\n  ) {\n    facets {\n      categories {\n        name\n        count\n      }\n      tags {\n        name\n        count\n      }\n      hooks {\n        name\n        count\n      }\n      permissions {\n        name\n        count\n      }\n    }\n  }\n}\n\nquery FeaturedPlugins {\n  featuredPlugins(first: 6) {\n    edges {\n      node {\n        ...PluginCard\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;