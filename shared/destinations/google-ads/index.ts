import type { Destination } from '../types.js';
import { connectGoogleAds } from './client.js';
import { googleAdsCredentials, googleAdsLimits, googleAdsSettings } from './definition.js';
import { googleAdsIdentifiers, googleMemberEntry, googleSentIdentifiers, userIdentifiers } from './identifiers.js';

export const googleAds: Destination<typeof googleAdsCredentials, typeof googleAdsSettings> = {
  type: 'google-ads',
  displayName: 'Google Ads (Customer Match)',
  description:
    'Customer Match user lists through the Data Manager API: each segment becomes a list of members matched by SHA-256 hashed email, phone, or name with postal and country code.',
  privacyStatement:
    "SHA-256 hashes of the segment members' email addresses, phone numbers and names, and their postal and country codes when mapped, leave this platform for Google Ads (Customer Match), with the consent signals the export sets. Customer Match requires that you comply with Google's Customer Match policy and EU user consent policy and that you have your customers' consent to share their data for advertising.",
  credentials: googleAdsCredentials,
  settings: googleAdsSettings,
  dataMatching: { required: [], optional: ['email', 'phone', 'firstName', 'lastName', 'postalCode', 'countryCode'] },
  identifiers: googleAdsIdentifiers,
  limits: googleAdsLimits,
  audienceCreationNeedsMembers: false,
  mapRecord: (profile) => ({ userData: { userIdentifiers: userIdentifiers(googleSentIdentifiers(profile)) } }),
  memberId: googleMemberEntry,
  // removeAll, then the segment: the first batch of a full sync replaces the list.
  sync: () => ({ removal: 'per-member', fullSync: 'replace-first-batch' }),
  connect: connectGoogleAds,
};
