"""The platform's default Pakta Integritas netralitas ASN (Bahasa Indonesia with an English
translation), written for Ikrar. Placeholders ``{agency}``, ``{election}`` and ``{year}`` are filled
from the program when the text is shown."""

from __future__ import annotations

DEFAULT_KEY = "netralitas-asn"

DEFAULT_TEXT = {
    "key": DEFAULT_KEY,
    "title_id": "Pakta Integritas Netralitas Aparatur Sipil Negara",
    "title_en": "Integrity Pact on the Neutrality of State Civil Servants",
    "preamble_id": (
        "Saya yang bertanda tangan di bawah ini, pegawai pada {agency}, dengan sadar dan tanpa "
        "paksaan menyatakan komitmen saya untuk menjaga netralitas sebagai Aparatur Sipil Negara "
        "dalam penyelenggaraan {election} tahun {year}. Untuk itu saya berjanji:"
    ),
    "preamble_en": (
        "I, the undersigned, an employee of {agency}, knowingly and without coercion declare my "
        "commitment to remain neutral as a State Civil Servant during the {election} of {year}. "
        "To that end I promise:"
    ),
    "commitments": [
        {
            "id": "1",
            "text_id": "Bersikap netral dan menjalankan pelayanan publik secara adil sebelum, selama, "
            "dan sesudah tahapan pemilihan.",
            "text_en": "To stay neutral and serve the public fairly before, during and after every "
            "stage of the election.",
        },
        {
            "id": "2",
            "text_id": "Tidak ikut berkampanye untuk peserta pemilihan mana pun, baik secara langsung "
            "maupun melalui media sosial, termasuk mengunggah, menyukai, mengomentari, "
            "atau membagikan konten kampanye.",
            "text_en": "Not to campaign for any election participant, in person or on social media, "
            "including posting, liking, commenting on or sharing campaign content.",
        },
        {
            "id": "3",
            "text_id": "Tidak menggunakan fasilitas, anggaran, atau wewenang jabatan untuk "
            "kepentingan peserta pemilihan.",
            "text_en": "Not to use office facilities, budgets or the authority of my position for the "
            "benefit of any election participant.",
        },
        {
            "id": "4",
            "text_id": "Menghindari konflik kepentingan, tidak mengintimidasi atau mengancam siapa "
            "pun, dan tidak memihak kepada peserta pemilihan tertentu.",
            "text_en": "To avoid conflicts of interest, never intimidate or threaten anyone, and not "
            "take the side of any particular participant.",
        },
        {
            "id": "5",
            "text_id": "Menolak politik uang serta pemberian dalam bentuk apa pun yang berkaitan dengan pemilihan.",
            "text_en": "To refuse money politics and any gift, in whatever form, connected with the election.",
        },
        {
            "id": "6",
            "text_id": "Melaporkan kepada atasan atau pengawas yang berwenang setiap tekanan atau "
            "ajakan untuk berpihak yang saya alami atau saksikan.",
            "text_en": "To report to my superior or the competent supervisor any pressure or "
            "invitation to take sides that I experience or witness.",
        },
        {
            "id": "7",
            "text_id": "Bersedia menerima sanksi sesuai peraturan perundang-undangan, termasuk "
            "Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri "
            "Sipil, apabila saya melanggar pakta ini.",
            "text_en": "To accept sanctions under the law, including Government Regulation (PP) "
            "Number 94 of 2021 on Civil Servant Discipline, if I break this pact.",
        },
    ],
    "closing_id": (
        "Pakta ini saya tanda tangani dengan penuh kesadaran dan tanggung jawab, demi pemilihan "
        "yang jujur, adil, dan bermartabat."
    ),
    "closing_en": ("I sign this pact fully aware of my responsibility, for an honest, fair and dignified election."),
}
