/** What a new user sees first in the playground: the marketplace, then how to sign in. */
export const DEFAULT_QUERY = `# Welcome to Plugboard. Press run to browse.
#
# Marketplace reads are public. For writes, use the
# token npm start printed, or create one:
#   npx plugboard users create --handle me \\
#     --role PUBLISHER
# and add to the Headers tab below:
#   {"Authorization": "Bearer <token>"}

query Marketplace {
  plugins(first: 10, sort: DOWNLOADS) {
    edges {
      node {
        slug
        name
        summary
        category
        rating { average count }
        publisher { handle verifiedPublisher }
        latestVersion { version permissions hooks }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
  categories { name count }
}

# In a second tab, watch your clips (same header):
# subscription {
#   clipEvents { type clip { id title tags } }
# }
`;
